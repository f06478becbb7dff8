// Package events prints the JSON-line event stream shared by every group-consumer test client
// (the same shape as the Java harness's GroupMember), and reads the stdin control channel.
package events

import (
	"bufio"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Log buffers events and flushes on demand: a member flushes before each commit, so everything it
// committed is on stdout even if it is later killed.
type Log struct {
	mu     sync.Mutex
	out    *bufio.Writer
	member string
}

func New(member string) *Log {
	return &Log{out: bufio.NewWriterSize(os.Stdout, 1<<16), member: member}
}

// Emit prints one event with its time, kind and member name plus the given fields.
func (l *Log) Emit(kind string, fields map[string]any) {
	e := map[string]any{"t": time.Now().UnixMilli(), "ev": kind, "m": l.member}
	for k, v := range fields {
		e[k] = v
	}
	b, err := json.Marshal(e)
	if err != nil {
		b = []byte(`{"ev":"error","err":"unencodable event"}`)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out.Write(b)
	l.out.WriteByte('\n')
}

func (l *Log) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out.Flush()
}

// Partitions returns the numbers sorted, never nil (so JSON shows [] rather than null).
func Partitions(ps []int32) []int32 {
	out := append([]int32{}, ps...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Offsets renders {partition: next offset} with string keys, as the Java harness does.
func Offsets(m map[int32]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for p, o := range m {
		out[strconv.Itoa(int(p))] = o
	}
	return out
}

// StopOnStdin closes the returned channel on a "stop" line or at end of input (the test runner died).
func StopOnStdin() <-chan struct{} {
	stop := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		for scanner.Scan() {
			if strings.TrimSpace(scanner.Text()) == "stop" {
				break
			}
		}
		close(stop)
	}()
	return stop
}
