package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The subjects, streams and buckets Supersonic uses on a NATS server. The
// streams and subjects of jobs, results and events carry the version of
// the messages' format (2: CBOR): a worker built for another format serves
// other streams and never takes, or drops, a job it cannot read.
const (
	jobsStream     = "SUPERSONIC_JOBS_V2"
	jobsSubject    = "supersonic.v2.jobs." // + task
	consumerName   = "workers"
	resultsStream  = "SUPERSONIC_RESULTS_V2"
	resultsSubject = "supersonic.v2.results." // + run token
	eventsSubject  = "supersonic.v2.events."  // + run token
	cancelSubject  = "supersonic.cancel."     // + session; payload: job id
	pingSubject    = "supersonic.workers"
	benchBucket    = "supersonic_benchmarks"

	// DefaultAckWait is how long a job may go without a sign of life from
	// its worker (workers send one every second while training) before
	// JetStream gives it to another worker.
	DefaultAckWait = 30 * time.Second
	// DefaultMaxAttempts is how many deliveries a job gets before it is
	// reported failed: a job that kills every worker that takes it counts
	// as a failed pull, as a crash does in the local pool.
	DefaultMaxAttempts = 3
)

// ensureStreams creates (or updates) the job queue, its consumer, the
// results stream and the benchmarks bucket. ackWait 0 leaves an existing
// consumer's as it is (DefaultAckWait for a new one).
func ensureStreams(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) (jetstream.Consumer, error) {
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: jobsStream, Subjects: []string{jobsSubject + "*"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute,
		Description: "Supersonic jobs: pulls, trials, deployments, comparison runs"})
	if err != nil {
		return nil, fmt.Errorf("creating stream %s: %w", jobsStream, err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: resultsStream, Subjects: []string{resultsSubject + "*"},
		Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage, MaxAge: 7 * 24 * time.Hour, Duplicates: 10 * time.Minute,
		Description: "Supersonic job results, one subject per coordinator session"})
	if err != nil {
		return nil, fmt.Errorf("creating stream %s: %w", resultsStream, err)
	}
	cons, err := js.Consumer(ctx, jobsStream, consumerName)
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("consumer %s: %w", consumerName, err)
	}
	if err == nil && (ackWait == 0 || cons.CachedInfo().Config.AckWait == ackWait) {
		return cons, nil
	}
	if ackWait == 0 {
		ackWait = DefaultAckWait
	}
	cons, err = js.CreateOrUpdateConsumer(ctx, jobsStream, jetstream.ConsumerConfig{Durable: consumerName, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: ackWait, MaxDeliver: -1, MaxAckPending: 100_000, MaxWaiting: 4096,
		Description: "the workers' shared durable pull consumer"})
	if err != nil {
		return nil, fmt.Errorf("creating consumer %s: %w", consumerName, err)
	}
	return cons, nil
}

func benchmarks(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, error) {
	ob, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: benchBucket, Storage: jetstream.FileStorage,
		Description: "benchmark files by SHA-256 of their content"})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", benchBucket, err)
	}
	return ob, nil
}
