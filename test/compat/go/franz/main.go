// Command franz drives github.com/twmb/franz-go for the compatibility matrix (test/compat). Every
// command prints JSON lines on stdout; see test/compat/README.md for the contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"compat/common"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
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
	case "txn-produce":
		err = txnProduce(ctx, a)
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

func client(a common.Args, opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{
		kgo.SeedBrokers(a.Required("bootstrap")),
		kgo.ClientID("compat-franz"),
		// The dataset's 1 MiB value plus batch overhead exceeds the 1 MB defaults.
		kgo.ProducerBatchMaxBytes(8 << 20),
		kgo.FetchMaxPartitionBytes(8 << 20),
		kgo.FetchMaxBytes(32 << 20),
	}
	return kgo.NewClient(append(base, opts...)...)
}

func admin(a common.Args) (*kadm.Client, func(), error) {
	cl, err := client(a)
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl.Close, nil
}

func metadata(ctx context.Context, a common.Args) error {
	adm, done, err := admin(a)
	if err != nil {
		return err
	}
	defer done()
	md, err := adm.Metadata(ctx)
	if err != nil {
		return err
	}
	out := common.Metadata{Topics: map[string]int{}}
	for _, b := range md.Brokers {
		out.Brokers = append(out.Brokers, common.Broker{ID: b.NodeID, Host: b.Host, Port: b.Port})
	}
	for name, t := range md.Topics {
		if t.Err == nil {
			out.Topics[name] = len(t.Partitions)
		}
	}
	common.Emit(out)
	return nil
}

func createTopic(ctx context.Context, a common.Args) error {
	adm, done, err := admin(a)
	if err != nil {
		return err
	}
	defer done()
	configs := map[string]*string{}
	for k, v := range a.Configs() {
		configs[k] = &v
	}
	res, err := adm.CreateTopic(ctx, int32(a.Int("partitions", 1)), 1, configs, a.Required("topic"))
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return err
	}
	common.Emit(map[string]any{"created": true})
	return nil
}

func deleteTopic(ctx context.Context, a common.Args) error {
	adm, done, err := admin(a)
	if err != nil {
		return err
	}
	defer done()
	res, err := adm.DeleteTopics(ctx, a.Required("topic"))
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		return err
	}
	common.Emit(map[string]any{"deleted": true})
	return nil
}

func codec(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.NoCompression(), fmt.Errorf("unknown codec %q", name)
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
	opts := []kgo.Opt{
		kgo.ProducerBatchCompression(c),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(5 * time.Millisecond),
	}
	if !a.Bool("idempotent", true) {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	cl, err := client(a, opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	topic := a.Required("topic")
	batch := make([]*kgo.Record, 0, len(records))
	for _, r := range records {
		rec := &kgo.Record{Topic: topic, Partition: r.Partition, Key: r.Key, Value: r.Value}
		if r.Timestamp >= 0 {
			rec.Timestamp = time.UnixMilli(r.Timestamp)
		}
		for _, h := range r.Headers {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		batch = append(batch, rec)
	}
	// ProduceSync's results come in completion order; acks are reported in dataset order.
	index := make(map[*kgo.Record]int, len(batch))
	for i, rec := range batch {
		index[rec] = i
	}
	acks := make([][2]int64, len(batch))
	for _, res := range cl.ProduceSync(ctx, batch...) {
		if res.Err != nil {
			return res.Err
		}
		acks[index[res.Record]] = [2]int64{int64(res.Record.Partition), res.Record.Offset}
	}
	pid, epoch, _ := cl.ProducerID(ctx)
	common.Emit(map[string]any{"count": len(acks), "acks": acks, "producerId": pid, "producerEpoch": epoch})
	return nil
}

func emitRecord(r *kgo.Record) {
	hs := make([]common.Header, 0, len(r.Headers))
	for _, h := range r.Headers {
		hs = append(hs, common.Header{Key: h.Key, Value: h.Value})
	}
	common.Emit(common.NewConsumed(r.Partition, r.Offset, r.Timestamp.UnixMilli(), r.Key, r.Value, hs))
}

func consume(ctx context.Context, a common.Args) error {
	topic := a.Required("topic")
	offsets := map[int32]kgo.Offset{}
	for p := 0; p < a.Int("partitions", 1); p++ {
		offsets[int32(p)] = kgo.NewOffset().AtStart()
	}
	opts := []kgo.Opt{kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offsets})}
	switch a.Get("isolation", "") {
	case "read_committed":
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	case "read_uncommitted":
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadUncommitted()))
	}
	cl, err := client(a, opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	want := a.Int("expect", 0)
	for got := 0; got < want; {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return errs[0].Err
		}
		fetches.EachRecord(func(r *kgo.Record) {
			emitRecord(r)
			got++
		})
	}
	return nil
}

// groupConsume reads exactly --max records as a member of --group, commits exactly those and leaves.
func groupConsume(ctx context.Context, a common.Args) error {
	cl, err := client(a,
		kgo.ConsumerGroup(a.Required("group")),
		kgo.ConsumeTopics(a.Required("topic")),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	want := a.Int("max", 0)
	var consumed []*kgo.Record
	for len(consumed) < want {
		fetches := cl.PollRecords(ctx, want-len(consumed))
		if err := ctx.Err(); err != nil {
			return err
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return errs[0].Err
		}
		fetches.EachRecord(func(r *kgo.Record) {
			emitRecord(r)
			consumed = append(consumed, r)
		})
	}
	if err := cl.CommitRecords(ctx, consumed...); err != nil {
		return err
	}
	return cl.LeaveGroupContext(ctx)
}

func describeGroup(ctx context.Context, a common.Args) error {
	adm, done, err := admin(a)
	if err != nil {
		return err
	}
	defer done()
	group := a.Required("group")
	lags, err := adm.Lag(ctx, group)
	if err != nil {
		return err
	}
	l, ok := lags[group]
	if !ok {
		return fmt.Errorf("group %s not described", group)
	}
	if err := l.Error(); err != nil {
		return err
	}
	out := common.GroupDescription{Group: group, State: l.State, Members: len(l.Members),
		Offsets: map[string]int64{}, Lag: map[string]int64{}}
	for _, p := range l.Lag[a.Required("topic")] {
		key := strconv.Itoa(int(p.Partition))
		out.Offsets[key] = p.Commit.At
		out.Lag[key] = p.Lag
	}
	common.Emit(out)
	return nil
}

// txnProduce sends the dataset's records through one transactional producer, --plan c15,a20,c15
// splitting them into transactions that commit (c) or abort (a); acks are printed in dataset order.
func txnProduce(ctx context.Context, a common.Args) error {
	records, err := common.ReadDataset(a.Required("input"))
	if err != nil {
		return err
	}
	plan, err := common.ParsePlan(a.Required("plan"), len(records))
	if err != nil {
		return err
	}
	cl, err := client(a,
		kgo.TransactionalID(a.Required("transactional-id")),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(5*time.Millisecond),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	topic := a.Required("topic")
	acks := make([][2]int64, 0, len(records))
	at := 0
	for _, step := range plan {
		if err := cl.BeginTransaction(); err != nil {
			return err
		}
		batch := make([]*kgo.Record, 0, step.Count)
		for _, r := range records[at : at+step.Count] {
			rec := &kgo.Record{Topic: topic, Partition: r.Partition, Key: r.Key, Value: r.Value}
			if r.Timestamp >= 0 {
				rec.Timestamp = time.UnixMilli(r.Timestamp)
			}
			for _, h := range r.Headers {
				rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
			}
			batch = append(batch, rec)
		}
		index := make(map[*kgo.Record]int, len(batch))
		for i, rec := range batch {
			index[rec] = i
		}
		part := make([][2]int64, len(batch))
		for _, res := range cl.ProduceSync(ctx, batch...) {
			if res.Err != nil {
				return res.Err
			}
			part[index[res.Record]] = [2]int64{int64(res.Record.Partition), res.Record.Offset}
		}
		acks = append(acks, part...)
		if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(step.Commit)); err != nil {
			return err
		}
		at += step.Count
	}
	common.Emit(map[string]any{"count": len(acks), "acks": acks})
	return nil
}

// txnTransform is consume-transform-produce through a GroupTransactSession: read exactly --max
// records as a member of --group, send one record per input to --output-topic (same partition and
// key, value "TAG:" + value) and the consumed offsets in one transaction, then commit or abort.
func txnTransform(ctx context.Context, a common.Args) error {
	commit := a.Required("outcome") == "commit"
	sess, err := kgo.NewGroupTransactSession(
		kgo.SeedBrokers(a.Required("bootstrap")),
		kgo.ClientID("compat-franz"),
		kgo.TransactionalID(a.Required("transactional-id")),
		kgo.ConsumerGroup(a.Required("group")),
		kgo.ConsumeTopics(a.Required("input-topic")),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	)
	if err != nil {
		return err
	}
	defer sess.Close()
	want := a.Int("max", 0)
	var consumed []*kgo.Record
	for len(consumed) < want {
		fetches := sess.PollRecords(ctx, want-len(consumed))
		if err := ctx.Err(); err != nil {
			return err
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return errs[0].Err
		}
		consumed = append(consumed, fetches.Records()...)
	}
	if err := sess.Begin(); err != nil {
		return err
	}
	prefix := []byte(a.Required("tag") + ":")
	out := make([]*kgo.Record, 0, len(consumed))
	for _, r := range consumed {
		value := append(append([]byte{}, prefix...), r.Value...)
		out = append(out, &kgo.Record{Topic: a.Required("output-topic"), Partition: r.Partition, Key: r.Key, Value: value})
	}
	if err := sess.ProduceSync(ctx, out...).FirstErr(); err != nil {
		return err
	}
	committed, err := sess.End(ctx, kgo.TransactionEndTry(commit))
	if err != nil {
		return err
	}
	if committed != commit {
		return fmt.Errorf("transaction ended with committed=%v, asked for commit=%v (rebalance or failed offset commit)", committed, commit)
	}
	for _, r := range consumed {
		emitRecord(r)
	}
	return nil
}
