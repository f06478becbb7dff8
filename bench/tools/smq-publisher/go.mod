// A plain SeaweedMQ publisher for the benchmark (bench/README.md): it measures what SeaweedMQ itself
// takes through PublishMessage, without Kafka, with SeaweedFS's own generated gRPC client.
module kafka-gateway/bench/smq-publisher

go 1.26

require github.com/seaweedfs/seaweedfs v0.0.0-20261109003541-7506e5f91cd6

// As in SeaweedFS's own go.mod: the original module was deleted from GitHub.
replace github.com/tyler-smith/go-bip39 => github.com/cosmos/go-bip39 v1.0.0
