// Command sarama drives github.com/IBM/sarama for the compatibility matrix (test/compat). Every
// command prints JSON lines on stdout; see test/compat/README.md for the contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"sync"
	"time"

	"compat/common"

	"github.com/IBM/sarama"
)

func main() {
	a := common.ParseArgs()
	if a.Bool("debug", false) {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	} else {
		sarama.Logger = log.New(io.Discard, "", 0)
	}
	timeout := time.Duration(a.Int("timeout-ms", 120000)) * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var err error
	switch a.Command {
	case "metadata":
		err = metadata(a)
	case "create-topic":
		err = createTopic(a)
	case "delete-topic":
		err = deleteTopic(a)
	case "produce":
		err = produce(a)
	case "consume":
		err = consume(ctx, a)
	case "group-consume":
		err = groupConsume(ctx, a)
	case "describe-group":
		err = describeGroup(a)
	case "txn-produce":
		err = txnProduce(a)
	case "txn-transform":
		err = txnTransform(ctx, a)
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

// config is what an application would write: the library's default protocol version (sarama.DefaultVersion)
// unless --kafka-version names another, and room for the dataset's 1 MiB value.
func config(a common.Args) (*sarama.Config, error) {
	cfg := sarama.NewConfig()
	cfg.ClientID = "compat-sarama"
	if v := a.Get("kafka-version", ""); v != "" {
		version, err := sarama.ParseKafkaVersion(v)
		if err != nil {
			return nil, err
		}
		cfg.Version = version
	}
	cfg.Producer.MaxMessageBytes = 8 << 20
	cfg.Consumer.Fetch.Default = 8 << 20
	cfg.Metadata.AllowAutoTopicCreation = false
	return cfg, nil
}

func admin(a common.Args) (sarama.ClusterAdmin, error) {
	cfg, err := config(a)
	if err != nil {
		return nil, err
	}
	return sarama.NewClusterAdmin([]string{a.Required("bootstrap")}, cfg)
}

func metadata(a common.Args) error {
	cfg, err := config(a)
	if err != nil {
		return err
	}
	cl, err := sarama.NewClient([]string{a.Required("bootstrap")}, cfg)
	if err != nil {
		return err
	}
	defer cl.Close()
	out := common.Metadata{Topics: map[string]int{}}
	for _, b := range cl.Brokers() {
		host, port, err := splitAddr(b.Addr())
		if err != nil {
			return err
		}
		out.Brokers = append(out.Brokers, common.Broker{ID: b.ID(), Host: host, Port: port})
	}
	topics, err := cl.Topics()
	if err != nil {
		return err
	}
	for _, t := range topics {
		ps, err := cl.Partitions(t)
		if err != nil {
			return err
		}
		out.Topics[t] = len(ps)
	}
	common.Emit(out)
	return nil
}

func createTopic(a common.Args) error {
	adm, err := admin(a)
	if err != nil {
		return err
	}
	defer adm.Close()
	entries := map[string]*string{}
	for k, v := range a.Configs() {
		entries[k] = &v
	}
	detail := &sarama.TopicDetail{NumPartitions: int32(a.Int("partitions", 1)), ReplicationFactor: 1, ConfigEntries: entries}
	if err := adm.CreateTopic(a.Required("topic"), detail, false); err != nil {
		return err
	}
	common.Emit(map[string]any{"created": true})
	return nil
}

func deleteTopic(a common.Args) error {
	adm, err := admin(a)
	if err != nil {
		return err
	}
	defer adm.Close()
	if err := adm.DeleteTopic(a.Required("topic")); err != nil {
		return err
	}
	common.Emit(map[string]any{"deleted": true})
	return nil
}

func codec(name string) (sarama.CompressionCodec, error) {
	switch name {
	case "none":
		return sarama.CompressionNone, nil
	case "gzip":
		return sarama.CompressionGZIP, nil
	case "snappy":
		return sarama.CompressionSnappy, nil
	case "lz4":
		return sarama.CompressionLZ4, nil
	case "zstd":
		return sarama.CompressionZSTD, nil
	}
	return sarama.CompressionNone, fmt.Errorf("unknown codec %q", name)
}

func produce(a common.Args) error {
	records, err := common.ReadDataset(a.Required("input"))
	if err != nil {
		return err
	}
	cfg, err := config(a)
	if err != nil {
		return err
	}
	if cfg.Producer.Compression, err = codec(a.Get("compression", "none")); err != nil {
		return err
	}
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Flush.Frequency = 5 * time.Millisecond
	if a.Bool("idempotent", false) {
		cfg.Producer.Idempotent = true
		cfg.Net.MaxOpenRequests = 1
	}
	p, err := sarama.NewSyncProducer([]string{a.Required("bootstrap")}, cfg)
	if err != nil {
		return err
	}
	topic := a.Required("topic")
	msgs := make([]*sarama.ProducerMessage, 0, len(records))
	for _, r := range records {
		m := &sarama.ProducerMessage{Topic: topic, Partition: r.Partition}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		if r.Timestamp >= 0 {
			m.Timestamp = time.UnixMilli(r.Timestamp)
		}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		msgs = append(msgs, m)
	}
	if err := p.SendMessages(msgs); err != nil {
		p.Close()
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	acks := make([][2]int64, 0, len(msgs))
	for _, m := range msgs {
		acks = append(acks, [2]int64{int64(m.Partition), m.Offset})
	}
	common.Emit(map[string]any{"count": len(acks), "acks": acks})
	return nil
}

func emitMessage(m *sarama.ConsumerMessage) {
	hs := make([]common.Header, 0, len(m.Headers))
	for _, h := range m.Headers {
		hs = append(hs, common.Header{Key: string(h.Key), Value: h.Value})
	}
	common.Emit(common.NewConsumed(m.Partition, m.Offset, m.Timestamp.UnixMilli(), m.Key, m.Value, hs))
}

func consume(ctx context.Context, a common.Args) error {
	cfg, err := config(a)
	if err != nil {
		return err
	}
	switch a.Get("isolation", "") {
	case "read_committed":
		cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	case "read_uncommitted":
		cfg.Consumer.IsolationLevel = sarama.ReadUncommitted
	}
	c, err := sarama.NewConsumer([]string{a.Required("bootstrap")}, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	topic := a.Required("topic")
	merged := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, 1)
	for p := 0; p < a.Int("partitions", 1); p++ {
		pc, err := c.ConsumePartition(topic, int32(p), sarama.OffsetOldest)
		if err != nil {
			return err
		}
		defer pc.AsyncClose()
		go func() {
			for {
				select {
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					merged <- m
				case e, ok := <-pc.Errors():
					if ok {
						select {
						case errs <- e:
						default:
						}
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for got := 0; got < a.Int("expect", 0); got++ {
		select {
		case m := <-merged:
			emitMessage(m)
		case e := <-errs:
			return e
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// groupHandler emits and marks records until the quota is reached, then commits synchronously. Claims
// run in one goroutine per partition, so the quota is shared under a lock.
type groupHandler struct {
	mu   sync.Mutex
	left int
	done chan struct{}
}

func (h *groupHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *groupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.mu.Lock()
		if h.left == 0 {
			h.mu.Unlock()
			return nil
		}
		emitMessage(m)
		s.MarkMessage(m, "")
		h.left--
		if h.left == 0 {
			s.Commit()
			close(h.done)
		}
		h.mu.Unlock()
	}
	return nil
}

func groupConsume(ctx context.Context, a common.Args) error {
	cfg, err := config(a)
	if err != nil {
		return err
	}
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	g, err := sarama.NewConsumerGroup([]string{a.Required("bootstrap")}, a.Required("group"), cfg)
	if err != nil {
		return err
	}
	h := &groupHandler{left: a.Int("max", 0), done: make(chan struct{})}
	runCtx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		for runCtx.Err() == nil {
			if err := g.Consume(runCtx, []string{a.Required("topic")}, h); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	var runErr error
	select {
	case <-h.done:
	case runErr = <-errc:
	case <-ctx.Done():
		runErr = ctx.Err()
	}
	stop()
	if err := g.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

func describeGroup(a common.Args) error {
	cfg, err := config(a)
	if err != nil {
		return err
	}
	cl, err := sarama.NewClient([]string{a.Required("bootstrap")}, cfg)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm, err := sarama.NewClusterAdminFromClient(cl)
	if err != nil {
		return err
	}
	group, topic := a.Required("group"), a.Required("topic")
	groups, err := adm.DescribeConsumerGroups([]string{group})
	if err != nil {
		return err
	}
	if len(groups) != 1 {
		return fmt.Errorf("described %d groups", len(groups))
	}
	if groups[0].Err != sarama.ErrNoError {
		return groups[0].Err
	}
	parts, err := cl.Partitions(topic)
	if err != nil {
		return err
	}
	offsets, err := adm.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	if err != nil {
		return err
	}
	out := common.GroupDescription{Group: group, State: groups[0].State, Members: len(groups[0].Members),
		Offsets: map[string]int64{}, Lag: map[string]int64{}}
	for _, p := range parts {
		block := offsets.GetBlock(topic, p)
		if block == nil || block.Err != sarama.ErrNoError {
			return fmt.Errorf("no committed offset block for partition %d", p)
		}
		end, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return err
		}
		key := strconv.Itoa(int(p))
		out.Offsets[key] = block.Offset
		if block.Offset >= 0 {
			out.Lag[key] = end - block.Offset
		} else {
			out.Lag[key] = end
		}
	}
	common.Emit(out)
	return nil
}

func splitAddr(addr string) (string, int32, error) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			port, err := strconv.Atoi(addr[i+1:])
			host := addr[:i]
			if len(host) > 1 && host[0] == '[' {
				host = host[1 : len(host)-1]
			}
			return host, int32(port), err
		}
	}
	return "", 0, fmt.Errorf("bad broker address %q", addr)
}

// txnConfig is a transactional producer's configuration: Sarama requires idempotence, acks from all
// replicas and one request in flight for a transactional id.
func txnConfig(a common.Args) (*sarama.Config, error) {
	cfg, err := config(a)
	if err != nil {
		return nil, err
	}
	cfg.Producer.Transaction.ID = a.Required("transactional-id")
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Net.MaxOpenRequests = 1
	return cfg, nil
}

func message(topic string, r common.Record) *sarama.ProducerMessage {
	m := &sarama.ProducerMessage{Topic: topic, Partition: r.Partition}
	if r.Key != nil {
		m.Key = sarama.ByteEncoder(r.Key)
	}
	if r.Value != nil {
		m.Value = sarama.ByteEncoder(r.Value)
	}
	if r.Timestamp >= 0 {
		m.Timestamp = time.UnixMilli(r.Timestamp)
	}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
	}
	return m
}

// txnProduce sends the dataset through one transactional SyncProducer, --plan c15,a20,c15 splitting
// it into transactions that commit (c) or abort (a); acks are printed in dataset order.
func txnProduce(a common.Args) error {
	records, err := common.ReadDataset(a.Required("input"))
	if err != nil {
		return err
	}
	plan, err := common.ParsePlan(a.Required("plan"), len(records))
	if err != nil {
		return err
	}
	cfg, err := txnConfig(a)
	if err != nil {
		return err
	}
	p, err := sarama.NewSyncProducer([]string{a.Required("bootstrap")}, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	topic := a.Required("topic")
	acks := make([][2]int64, 0, len(records))
	at := 0
	for _, step := range plan {
		if err := p.BeginTxn(); err != nil {
			return err
		}
		msgs := make([]*sarama.ProducerMessage, 0, step.Count)
		for _, r := range records[at : at+step.Count] {
			msgs = append(msgs, message(topic, r))
		}
		if err := p.SendMessages(msgs); err != nil {
			return err
		}
		for _, m := range msgs {
			acks = append(acks, [2]int64{int64(m.Partition), m.Offset})
		}
		if step.Commit {
			err = p.CommitTxn()
		} else {
			err = p.AbortTxn()
		}
		if err != nil {
			return err
		}
		at += step.Count
	}
	common.Emit(map[string]any{"count": len(acks), "acks": acks})
	return nil
}

// takeHandler collects records (without marking them) until the quota is reached.
type takeHandler struct {
	mu    sync.Mutex
	left  int
	taken []*sarama.ConsumerMessage
	done  chan struct{}
}

func (h *takeHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *takeHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *takeHandler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.mu.Lock()
		if h.left == 0 {
			h.mu.Unlock()
			return nil
		}
		h.taken = append(h.taken, m)
		h.left--
		if h.left == 0 {
			close(h.done)
		}
		h.mu.Unlock()
	}
	return nil
}

// txnTransform is consume-transform-produce: a group member (read_committed) takes exactly --max
// records; one transaction sends one record per input to --output-topic (same partition and key, value
// "TAG:" + value) and the consumed offsets (AddOffsetsToTxn), then commits or aborts.
func txnTransform(ctx context.Context, a common.Args) error {
	group := a.Required("group")
	input := a.Required("input-topic")
	cfg, err := config(a)
	if err != nil {
		return err
	}
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	g, err := sarama.NewConsumerGroup([]string{a.Required("bootstrap")}, group, cfg)
	if err != nil {
		return err
	}
	defer g.Close()
	pcfg, err := txnConfig(a)
	if err != nil {
		return err
	}
	p, err := sarama.NewSyncProducer([]string{a.Required("bootstrap")}, pcfg)
	if err != nil {
		return err
	}
	defer p.Close()
	h := &takeHandler{left: a.Int("max", 0), done: make(chan struct{})}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		for runCtx.Err() == nil {
			if err := g.Consume(runCtx, []string{input}, h); err != nil {
				errc <- err
				return
			}
		}
	}()
	select {
	case <-h.done:
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := p.BeginTxn(); err != nil {
		return err
	}
	prefix := []byte(a.Required("tag") + ":")
	next := map[int32]int64{}
	msgs := make([]*sarama.ProducerMessage, 0, len(h.taken))
	for _, m := range h.taken {
		value := append(append([]byte{}, prefix...), m.Value...)
		msgs = append(msgs, &sarama.ProducerMessage{Topic: a.Required("output-topic"), Partition: m.Partition,
			Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(value)})
		if m.Offset+1 > next[m.Partition] {
			next[m.Partition] = m.Offset + 1
		}
	}
	if err := p.SendMessages(msgs); err != nil {
		return err
	}
	offsets := make([]*sarama.PartitionOffsetMetadata, 0, len(next))
	for partition, offset := range next {
		offsets = append(offsets, &sarama.PartitionOffsetMetadata{Partition: partition, Offset: offset})
	}
	if err := p.AddOffsetsToTxn(map[string][]*sarama.PartitionOffsetMetadata{input: offsets}, group); err != nil {
		return err
	}
	if a.Required("outcome") == "commit" {
		err = p.CommitTxn()
	} else {
		err = p.AbortTxn()
	}
	if err != nil {
		return err
	}
	for _, m := range h.taken {
		emitMessage(m)
	}
	return nil
}
