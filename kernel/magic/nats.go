package magic

import (
	"fmt"
	"strconv"
	"strings"
)

// --nats runs a phase's jobs on NATS JetStream workers (package
// rlcore/search/cluster) instead of the cell's own goroutines.

const clusterImport = "github.com/supersonic-rl/supersonic/rlcore/search/cluster"

var natsFlag = Flag{Name: "nats", Value: "URL|embedded",
	Doc:    "run the jobs on NATS JetStream workers at URL (credentials from $SUPERSONIC_NATS_CREDS, …); embedded: a loopback server and a worker in the cell",
	Values: []string{"embedded", "nats://127.0.0.1:4222"}}

// parseNATS reads --nats: "embedded" or server URLs (comma-separated).
func parseNATS(c *Call) (string, error) {
	v, ok := c.Flags["nats"]
	if !ok {
		return "", nil
	}
	if v == "embedded" {
		return v, nil
	}
	for _, u := range strings.Split(v, ",") {
		if !strings.HasPrefix(u, "nats://") && !strings.HasPrefix(u, "tls://") && !strings.HasPrefix(u, "ws://") && !strings.HasPrefix(u, "wss://") {
			return "", fmt.Errorf("--nats %q: want embedded or a server URL such as nats://10.0.0.5:4222 (also tls://, ws://, wss://; several separated by commas)", v)
		}
	}
	return v, nil
}

// withNATS adds the executor to an expansion whose main has a
// `searchview.Context` line: the executor is opened after it and every
// phase option list gets `Executor: executor`.
func withNATS(src Source, url string) Source {
	if url == "" {
		return src
	}
	src.Imports = append(src.Imports, clusterImport)
	open := `executor, err := cluster.Open(ctx, ` + strconv.Quote(url) + `, cluster.Options{}) // jobs on NATS JetStream workers
` + errorCheck + `
defer executor.Close()
`
	main := strings.Replace(src.Main, "Options{", "Options{Executor: executor, ", 1)
	lines := strings.SplitAfterN(main, "\n", 2)
	src.Main = lines[0] + open + lines[1]
	return src
}

// workersCommand is %supersonic workers URL.
type workersCommand struct{ url string }

func (w workersCommand) Validate() error {
	if w.url == "embedded" {
		return fmt.Errorf("workers: give the URL of a running server, e.g. nats://127.0.0.1:4222 (an embedded server lives only while its cell runs)")
	}
	return nil
}

func (w workersCommand) Expand() (Source, error) {
	return Source{
		Imports: []string{"context", "fmt", "os", clusterImport},
		Main: `ws, err := cluster.ListWorkers(context.Background(), ` + strconv.Quote(w.url) + `)
` + errorCheck + `
fmt.Print(cluster.WorkersTable(ws))`,
	}, nil
}

func parseWorkers(rest []string) (Command, error) {
	if len(rest) != 1 {
		return nil, fmt.Errorf("workers takes the NATS server URL, e.g. %%supersonic workers nats://127.0.0.1:4222")
	}
	url, err := parseNATS(&Call{Flags: map[string]string{"nats": rest[0]}})
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	return workersCommand{url}, nil
}
