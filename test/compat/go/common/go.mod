module compat/common

go 1.24
