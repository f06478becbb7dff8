// smq-publisher publishes -records messages of -size bytes to a new SeaweedMQ topic of -partitions
// partitions, one PublishMessage stream per partition with every message written back to back (the
// broker acks each), and prints one JSON line: records, seconds, records/s, MB/s.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/seaweedfs/seaweedfs/weed/pb/mq_pb"
	"github.com/seaweedfs/seaweedfs/weed/pb/schema_pb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	broker := flag.String("broker", "127.0.0.1:17777", "any SeaweedMQ broker (gRPC address)")
	namespace := flag.String("namespace", "bench", "SeaweedMQ namespace")
	topicName := flag.String("topic", fmt.Sprintf("smq-publisher-%d", time.Now().UnixNano()), "topic to create and fill")
	partitions := flag.Int("partitions", 8, "partitions of the topic")
	records := flag.Int("records", 100000, "messages in total")
	size := flag.Int("size", 1024, "value bytes per message")
	flag.Parse()

	conn, err := grpc.NewClient(*broker, grpc.WithTransportCredentials(insecure.NewCredentials()))
	check(err, "dial")
	topic := &schema_pb.Topic{Namespace: *namespace, Name: *topicName}
	conf, err := mq_pb.NewSeaweedMessagingClient(conn).ConfigureTopic(context.Background(),
		&mq_pb.ConfigureTopicRequest{Topic: topic, PartitionCount: int32(*partitions)})
	check(err, "configure topic")
	assignments := conf.BrokerPartitionAssignments
	sort.Slice(assignments, func(i, j int) bool {
		return assignments[i].Partition.RangeStart < assignments[j].Partition.RangeStart
	})

	value := make([]byte, *size)
	for i := range value {
		value[i] = byte(rand.IntN(256))
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(assignments))
	for i, a := range assignments {
		count := *records / len(assignments)
		if i < *records%len(assignments) {
			count++
		}
		wg.Add(1)
		go func(a *mq_pb.BrokerPartitionAssignment, count int) {
			defer wg.Done()
			if err := publish(a, topic, count, value); err != nil {
				errs <- err
			}
		}(a, count)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		check(err, "publish")
	}
	seconds := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]any{
		"records":    *records,
		"bytes":      *records * *size,
		"seconds":    seconds,
		"recordsPerS": float64(*records) / seconds,
		"mbPerS":     float64(*records**size) / seconds / (1 << 20),
	})
	fmt.Println(string(out))
}

// publish writes count messages on one stream to the partition's leader and waits for every ack.
func publish(a *mq_pb.BrokerPartitionAssignment, topic *schema_pb.Topic, count int, value []byte) error {
	conn, err := grpc.NewClient(a.LeaderBroker, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	stream, err := mq_pb.NewSeaweedMessagingClient(conn).PublishMessage(context.Background())
	if err != nil {
		return err
	}
	init := &mq_pb.PublishMessageRequest_InitMessage{Topic: topic, Partition: a.Partition, AckInterval: 1, PublisherName: "smq-publisher"}
	if err := stream.Send(&mq_pb.PublishMessageRequest{Message: &mq_pb.PublishMessageRequest_Init{Init: init}}); err != nil {
		return err
	}
	if hello, err := stream.Recv(); err != nil {
		return err
	} else if hello.Error != "" {
		return fmt.Errorf("init: %s", hello.Error)
	}
	acked := make(chan error, 1)
	go func() {
		for n := 0; n < count; n++ {
			ack, err := stream.Recv()
			if err != nil {
				acked <- err
				return
			}
			if ack.Error != "" {
				acked <- fmt.Errorf("ack: %s", ack.Error)
				return
			}
		}
		acked <- nil
	}()
	base := time.Now().UnixNano()
	for n := 0; n < count; n++ {
		msg := &mq_pb.DataMessage{Key: []byte(fmt.Sprintf("k%d", n%64)), Value: value, TsNs: base + int64(n)}
		if err := stream.Send(&mq_pb.PublishMessageRequest{Message: &mq_pb.PublishMessageRequest_Data{Data: msg}}); err != nil {
			return err
		}
	}
	err = <-acked
	_ = stream.CloseSend()
	return err
}

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "smq-publisher: %s: %v\n", what, err)
		os.Exit(1)
	}
}
