// Package common holds what every Go driver of the compatibility matrix shares: the dataset file
// written by test/compat (one record a line) and the JSON shapes the runner reads back.
package common

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Header is one record header; a nil Value is a null header value, distinct from an empty one.
type Header struct {
	Key   string
	Value []byte
}

// Record is one dataset line. Partition -1 lets the client choose; Timestamp -1 leaves it unset.
type Record struct {
	Partition int32
	Timestamp int64
	Key       []byte
	Value     []byte
	Headers   []Header
}

// ReadDataset parses "partition\ttimestamp\tkey\tvalue\theaders" lines: byte fields are base64 or "-"
// for null; headers are "name:value" pairs joined by ',' with both sides base64 (value "-" = null).
func ReadDataset(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		r, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("dataset line %d: %w", len(out)+1, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

func parseLine(line string) (Record, error) {
	f := strings.Split(line, "\t")
	if len(f) != 5 {
		return Record{}, fmt.Errorf("want 5 fields, got %d", len(f))
	}
	p, err := strconv.ParseInt(f[0], 10, 32)
	if err != nil {
		return Record{}, err
	}
	ts, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Record{}, err
	}
	r := Record{Partition: int32(p), Timestamp: ts}
	if r.Key, err = bytesField(f[2]); err != nil {
		return r, err
	}
	if r.Value, err = bytesField(f[3]); err != nil {
		return r, err
	}
	if f[4] != "" {
		for _, pair := range strings.Split(f[4], ",") {
			kv := strings.SplitN(pair, ":", 2)
			if len(kv) != 2 {
				return r, fmt.Errorf("bad header %q", pair)
			}
			name, err := base64.StdEncoding.DecodeString(kv[0])
			if err != nil {
				return r, err
			}
			value, err := bytesField(kv[1])
			if err != nil {
				return r, err
			}
			r.Headers = append(r.Headers, Header{Key: string(name), Value: value})
		}
	}
	return r, nil
}

func bytesField(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil && b == nil {
		b = []byte{}
	}
	return b, err
}
