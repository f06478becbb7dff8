package common

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Args holds "--name value" flags; repeated flags (--config) keep every value.
type Args struct {
	Command string
	values  map[string][]string
}

// ParseArgs reads os.Args: the command first, then --name value pairs.
func ParseArgs() Args {
	if len(os.Args) < 2 {
		usage("missing command")
	}
	a := Args{Command: os.Args[1], values: map[string][]string{}}
	rest := os.Args[2:]
	for i := 0; i < len(rest); i += 2 {
		if !strings.HasPrefix(rest[i], "--") || i+1 >= len(rest) {
			usage("expected --flag value, got " + rest[i])
		}
		name := rest[i][2:]
		a.values[name] = append(a.values[name], rest[i+1])
	}
	return a
}

func usage(msg string) {
	fmt.Fprintln(os.Stderr, "driver: "+msg)
	os.Exit(2)
}

// Get returns the flag's last value or the fallback.
func (a Args) Get(name, fallback string) string {
	v := a.values[name]
	if len(v) == 0 {
		return fallback
	}
	return v[len(v)-1]
}

// Required returns the flag's value or exits with a usage error.
func (a Args) Required(name string) string {
	v := a.Get(name, "")
	if v == "" {
		usage("missing --" + name)
	}
	return v
}

// Int returns the flag as an integer.
func (a Args) Int(name string, fallback int) int {
	v := a.Get(name, "")
	if v == "" {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		usage("--" + name + " must be a number")
	}
	return n
}

// Bool returns the flag as true/false.
func (a Args) Bool(name string, fallback bool) bool {
	v := a.Get(name, "")
	if v == "" {
		return fallback
	}
	return v == "true"
}

// Configs returns the repeated --config k=v flags as a map.
func (a Args) Configs() map[string]string {
	out := map[string]string{}
	for _, kv := range a.values["config"] {
		if i := strings.IndexByte(kv, '='); i > 0 {
			out[kv[:i]] = kv[i+1:]
		}
	}
	return out
}

// PlanStep is one transaction of a txn-produce --plan: Count records, committed or aborted.
type PlanStep struct {
	Count  int
	Commit bool
}

// ParsePlan reads "c15,a20,c15" and checks that the steps cover exactly total records.
func ParsePlan(plan string, total int) ([]PlanStep, error) {
	var out []PlanStep
	sum := 0
	for _, s := range strings.Split(plan, ",") {
		if len(s) < 2 || (s[0] != 'c' && s[0] != 'a') {
			return nil, fmt.Errorf("bad --plan step %q", s)
		}
		n, err := strconv.Atoi(s[1:])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad --plan step %q", s)
		}
		out = append(out, PlanStep{Count: n, Commit: s[0] == 'c'})
		sum += n
	}
	if sum != total {
		return nil, fmt.Errorf("--plan covers %d of %d records", sum, total)
	}
	return out, nil
}
