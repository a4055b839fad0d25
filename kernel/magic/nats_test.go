package magic

import (
	"testing"
)

func TestNATSFlag(t *testing.T) {
	tests := []struct {
		code     string
		wantErr  string
		wantCode []string
	}{
		{code: "%search cs --nats embedded", wantCode: []string{`cluster.Open(ctx, "embedded", cluster.Options{})`, "defer executor.Close()",
			"search.Options{Executor: executor, Budget: budget}", `"` + clusterImport + `"`}},
		{code: "%tune --nats nats://10.0.0.5:4222", wantCode: []string{`cluster.Open(ctx, "nats://10.0.0.5:4222"`, "search.TuneOptions{Executor: executor, "}},
		{code: "%deploy --nats tls://a:4222,tls://b:4222", wantCode: []string{"search.DeployOptions{Executor: executor, "}},
		{code: "%compare --nats embedded", wantCode: []string{"search.CompareOptions{Executor: executor, "}},
		{code: "%search cs --nats 10.0.0.5", wantErr: "want embedded or a server URL"},
		{code: "%search cs", wantCode: []string{"search.Options{Budget: budget}"}},
		{code: "%search cs --nats nats://127.0.0.1:4222 --resume", wantCode: []string{"search.Options{Executor: executor, Budget: budget, Resume: true}"}},
		{code: "%supersonic workers nats://127.0.0.1:4222", wantCode: []string{`cluster.ListWorkers(context.Background(), "nats://127.0.0.1:4222")`, "cluster.WorkersTable(ws)"}},
		{code: "%supersonic workers", wantErr: "workers takes the NATS server URL"},
		{code: "%supersonic workers embedded", wantErr: "a running server"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			checkExpansion(t, tc.code, tc.wantCode, tc.wantErr)
		})
	}
}
