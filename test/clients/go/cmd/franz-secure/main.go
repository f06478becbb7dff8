// franz-secure: produces -count records to a topic with franz-go (kgo) over TLS and/or SASL/SCRAM,
// then reads them back from the start without a group, for the security end-to-end tests.
// Prints one JSON line: {"produced":N,"consumed":["v0",...]} or {"error":"..."} (exit 1).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap brokers, comma separated")
	topic := flag.String("topic", "", "topic")
	count := flag.Int("count", 10, "records to produce and read back")
	ca := flag.String("tls-ca", "", "CA certificate (PEM): connect with TLS")
	cert := flag.String("tls-cert", "", "client certificate (PEM)")
	key := flag.String("tls-key", "", "client key (PEM)")
	mechanism := flag.String("scram", "", "SCRAM-SHA-256 or SCRAM-SHA-512")
	user := flag.String("user", "", "SASL user")
	password := flag.String("password", "", "SASL password")
	timeout := flag.Duration("timeout", 60*time.Second, "bound on the whole run")
	flag.Parse()

	out := json.NewEncoder(os.Stdout)
	consumed, err := run(*brokers, *topic, *count, *ca, *cert, *key, *mechanism, *user, *password, *timeout)
	if err != nil {
		_ = out.Encode(map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	_ = out.Encode(map[string]any{"produced": *count, "consumed": consumed})
}

func options(brokers, ca, cert, key, mechanism, user, password string) ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(strings.Split(brokers, ",")...), kgo.RequestRetries(2)}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			if err != nil {
				return nil, err
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	auth := scram.Auth{User: user, Pass: password}
	switch mechanism {
	case "":
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(auth.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(auth.AsSha512Mechanism()))
	default:
		return nil, fmt.Errorf("unknown mechanism %s", mechanism)
	}
	return opts, nil
}

func run(brokers, topic string, count int, ca, cert, key, mechanism, user, password string, timeout time.Duration) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	opts, err := options(brokers, ca, cert, key, mechanism, user, password)
	if err != nil {
		return nil, err
	}
	producer, err := kgo.NewClient(append(opts, kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())...)
	if err != nil {
		return nil, err
	}
	// Ping surfaces a failed authentication at once; produce would retry it until the deadline.
	if err := producer.Ping(ctx); err != nil {
		producer.Close()
		return nil, err
	}
	records := make([]*kgo.Record, count)
	for i := range records {
		records[i] = &kgo.Record{Partition: 0, Value: []byte(fmt.Sprintf("v%d", i))}
	}
	err = producer.ProduceSync(ctx, records...).FirstErr()
	producer.Close()
	if err != nil {
		return nil, err
	}
	consumer, err := kgo.NewClient(append(opts,
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))...)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	var values []string
	for len(values) < count {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			return values, ctx.Err()
		}
		for _, e := range fetches.Errors() {
			return values, e.Err
		}
		fetches.EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
	}
	return values, nil
}
