package common

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
)

// Out writes one JSON document a line to stdout, the runner's only input from a driver.
var Out = bufio.NewWriterSize(os.Stdout, 1<<20)

// Emit writes v as one JSON line.
func Emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		Fail(err)
	}
	Out.Write(b)
	Out.WriteByte('\n')
}

// B64 encodes bytes for JSON output, keeping null (nil) distinct from empty.
func B64(b []byte) *string {
	if b == nil {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}

// ConsumedRecord is the JSON line the runner compares with the dataset.
type ConsumedRecord struct {
	Partition int32        `json:"partition"`
	Offset    int64        `json:"offset"`
	Timestamp int64        `json:"timestamp"`
	Key       *string      `json:"key"`
	Value     *string      `json:"value"`
	Headers   [][2]*string `json:"headers"`
}

// NewConsumed builds the output line for one record.
func NewConsumed(partition int32, offset, timestamp int64, key, value []byte, headers []Header) ConsumedRecord {
	hs := make([][2]*string, 0, len(headers))
	for _, h := range headers {
		name := h.Key
		hs = append(hs, [2]*string{&name, B64(h.Value)})
	}
	return ConsumedRecord{Partition: partition, Offset: offset, Timestamp: timestamp, Key: B64(key), Value: B64(value), Headers: hs}
}

// Broker and Metadata are the "metadata" command's answer.
type Broker struct {
	ID   int32  `json:"id"`
	Host string `json:"host"`
	Port int32  `json:"port"`
}

type Metadata struct {
	Brokers []Broker       `json:"brokers"`
	Topics  map[string]int `json:"topics"`
}

// GroupDescription is the "describe-group" command's answer; maps are keyed by partition number.
type GroupDescription struct {
	Group   string           `json:"group"`
	State   string           `json:"state"`
	Members int              `json:"members"`
	Offsets map[string]int64 `json:"offsets"`
	Lag     map[string]int64 `json:"lag"`
}

// Fail prints the error to stderr and exits 1; 2 is kept for usage errors, 4 for time-outs.
func Fail(err error) {
	Out.Flush()
	os.Stderr.WriteString("driver: " + err.Error() + "\n")
	os.Exit(1)
}

// Exit flushes stdout and exits with code.
func Exit(code int) {
	Out.Flush()
	os.Exit(code)
}
