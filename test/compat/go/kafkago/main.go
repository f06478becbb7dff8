// Command kafkago drives github.com/segmentio/kafka-go for the compatibility matrix (test/compat). Every
// command prints JSON lines on stdout; see test/compat/README.md for the contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"compat/common"

	"github.com/segmentio/kafka-go"
)

func main() {
	a := common.ParseArgs()
	timeout := time.Duration(a.Int("timeout-ms", 120000)) * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var err error
	switch a.Command {
	case "metadata":
		err = metadata(ctx, a)
	case "create-topic":
		err = createTopic(ctx, a)
	case "delete-topic":
		err = deleteTopic(ctx, a)
	case "produce":
		err = produce(ctx, a)
	case "consume":
		err = consume(ctx, a)
	case "group-consume":
		err = groupConsume(ctx, a)
	case "describe-group":
		err = describeGroup(ctx, a)
	default:
		err = fmt.Errorf("unknown command %q", a.Command)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		common.Exit(4)
	}
	if err != nil {
		common.Fail(err)
	}
	common.Exit(0)
}

func client(a common.Args) *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(a.Required("bootstrap")), Timeout: 30 * time.Second}
}

func metadata(ctx context.Context, a common.Args) error {
	md, err := client(a).Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return err
	}
	out := common.Metadata{Topics: map[string]int{}}
	for _, b := range md.Brokers {
		out.Brokers = append(out.Brokers, common.Broker{ID: int32(b.ID), Host: b.Host, Port: int32(b.Port)})
	}
	for _, t := range md.Topics {
		if t.Error == nil {
			out.Topics[t.Name] = len(t.Partitions)
		}
	}
	common.Emit(out)
	return nil
}

func createTopic(ctx context.Context, a common.Args) error {
	topic := a.Required("topic")
	cfg := kafka.TopicConfig{Topic: topic, NumPartitions: a.Int("partitions", 1), ReplicationFactor: 1}
	for k, v := range a.Configs() {
		cfg.ConfigEntries = append(cfg.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
	}
	res, err := client(a).CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{cfg}})
	if err == nil {
		err = res.Errors[topic]
	}
	if err != nil {
		return err
	}
	common.Emit(map[string]any{"created": true})
	return nil
}

func deleteTopic(ctx context.Context, a common.Args) error {
	topic := a.Required("topic")
	res, err := client(a).DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err == nil {
		err = res.Errors[topic]
	}
	if err != nil {
		return err
	}
	common.Emit(map[string]any{"deleted": true})
	return nil
}

// datasetPartition sends each message to the partition the dataset names (the Writer ignores
// Message.Partition unless its Balancer honours it).
type datasetPartition struct{}

func (datasetPartition) Balance(m kafka.Message, _ ...int) int { return m.Partition }

func codec(name string) (kafka.Compression, error) {
	switch name {
	case "none":
		return 0, nil
	case "gzip":
		return kafka.Gzip, nil
	case "snappy":
		return kafka.Snappy, nil
	case "lz4":
		return kafka.Lz4, nil
	case "zstd":
		return kafka.Zstd, nil
	}
	return 0, fmt.Errorf("unknown codec %q", name)
}

func produce(ctx context.Context, a common.Args) error {
	records, err := common.ReadDataset(a.Required("input"))
	if err != nil {
		return err
	}
	c, err := codec(a.Get("compression", "none"))
	if err != nil {
		return err
	}
	// Each message carries its dataset index in Offset until the Completion callback overwrites it.
	acks := make([][2]int64, len(records))
	var mu sync.Mutex
	w := &kafka.Writer{
		Addr:         kafka.TCP(a.Required("bootstrap")),
		Topic:        a.Required("topic"),
		Balancer:     datasetPartition{},
		Compression:  c,
		RequiredAcks: kafka.RequireAll,
		BatchBytes:   8 << 20,
		BatchSize:    1000,
		BatchTimeout: 5 * time.Millisecond,
	}
	msgs := make([]kafka.Message, 0, len(records))
	for _, r := range records {
		m := kafka.Message{Partition: int(r.Partition), Key: r.Key, Value: r.Value}
		if r.Timestamp >= 0 {
			m.Time = time.UnixMilli(r.Timestamp)
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
		}
		msgs = append(msgs, m)
	}
	// kafka-go's Writer reports offsets only through Completion, per batch, in send order within a
	// partition: the n-th completed message of a partition is that partition's n-th dataset record.
	byPartition := map[int][]int{}
	for i, r := range records {
		byPartition[int(r.Partition)] = append(byPartition[int(r.Partition)], i)
	}
	seen := map[int]int{}
	w.Completion = func(done []kafka.Message, err error) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range done {
			list := byPartition[m.Partition]
			n := seen[m.Partition]
			seen[m.Partition] = n + 1
			if n < len(list) {
				offset := m.Offset
				if err != nil {
					offset = -1
				}
				acks[list[n]] = [2]int64{int64(m.Partition), offset}
			}
		}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	common.Emit(map[string]any{"count": len(records), "acks": acks})
	return nil
}

func emitMessage(m kafka.Message) {
	hs := make([]common.Header, 0, len(m.Headers))
	for _, h := range m.Headers {
		hs = append(hs, common.Header{Key: h.Key, Value: h.Value})
	}
	common.Emit(common.NewConsumed(int32(m.Partition), m.Offset, m.Time.UnixMilli(), m.Key, m.Value, hs))
}

func consume(ctx context.Context, a common.Args) error {
	topic := a.Required("topic")
	merged := make(chan kafka.Message)
	errs := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	for p := 0; p < a.Int("partitions", 1); p++ {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   []string{a.Required("bootstrap")},
			Topic:     topic,
			Partition: p,
			MinBytes:  1,
			MaxBytes:  16 << 20,
			MaxWait:   500 * time.Millisecond,
		})
		defer r.Close()
		if err := r.SetOffset(kafka.FirstOffset); err != nil {
			return err
		}
		go func() {
			for {
				m, err := r.ReadMessage(runCtx)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				select {
				case merged <- m:
				case <-runCtx.Done():
					return
				}
			}
		}()
	}
	for got := 0; got < a.Int("expect", 0); got++ {
		select {
		case m := <-merged:
			emitMessage(m)
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// groupConsume reads exactly --max records as a member of --group, committing each synchronously.
func groupConsume(ctx context.Context, a common.Args) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     []string{a.Required("bootstrap")},
		GroupID:     a.Required("group"),
		Topic:       a.Required("topic"),
		StartOffset: kafka.FirstOffset,
		MinBytes:    1,
		MaxBytes:    16 << 20,
		MaxWait:     500 * time.Millisecond,
	})
	defer r.Close()
	for got := 0; got < a.Int("max", 0); got++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return err
		}
		emitMessage(m)
		if err := r.CommitMessages(ctx, m); err != nil {
			return err
		}
	}
	return r.Close()
}

func describeGroup(ctx context.Context, a common.Args) error {
	cl := client(a)
	group, topic := a.Required("group"), a.Required("topic")
	groups, err := cl.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		return err
	}
	if len(groups.Groups) != 1 {
		return fmt.Errorf("described %d groups", len(groups.Groups))
	}
	g := groups.Groups[0]
	if g.Error != nil {
		return g.Error
	}
	md, err := cl.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return err
	}
	var parts []int
	var ends []kafka.OffsetRequest
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			parts = append(parts, p.ID)
			ends = append(ends, kafka.LastOffsetOf(p.ID))
		}
	}
	committed, err := cl.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return err
	}
	listed, err := cl.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: ends}})
	if err != nil {
		return err
	}
	end := map[int]int64{}
	for _, p := range listed.Topics[topic] {
		if p.Error != nil {
			return p.Error
		}
		end[p.Partition] = p.LastOffset
	}
	out := common.GroupDescription{Group: group, State: g.GroupState, Members: len(g.Members),
		Offsets: map[string]int64{}, Lag: map[string]int64{}}
	for _, p := range committed.Topics[topic] {
		if p.Error != nil {
			return p.Error
		}
		key := strconv.Itoa(p.Partition)
		out.Offsets[key] = p.CommittedOffset
		if p.CommittedOffset >= 0 {
			out.Lag[key] = end[p.Partition] - p.CommittedOffset
		} else {
			out.Lag[key] = end[p.Partition]
		}
	}
	common.Emit(out)
	return nil
}
