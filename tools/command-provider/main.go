// Command pulumi-resource-command is a small stand-in for the official Pulumi
// Command provider: it serves command:remote:Command only. See README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// hostClient logs through the engine's Engine service.
type hostClient struct {
	client pulumirpc.EngineClient
}

func (h *hostClient) Log(ctx context.Context, sev pulumirpc.LogSeverity, urn, msg string, ephemeral bool) {
	// Logging must not fail an operation; errors are dropped.
	_, _ = h.client.Log(ctx, &pulumirpc.LogRequest{Severity: sev, Message: msg, Urn: urn, Ephemeral: ephemeral})
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}

func run(argv []string, stdout io.Writer) error {
	// Flags the engine may pass (see buildPluginArguments in the Pulumi SDK); accepted and ignored.
	fs := flag.NewFlagSet("pulumi-resource-command", flag.ContinueOnError)
	fs.Bool("logtostderr", false, "")
	fs.Bool("logflow", false, "")
	fs.Int("v", 0, "")
	fs.String("tracing", "", "")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(argv); err != nil {
		return err
	}
	if *version {
		fmt.Fprintln(stdout, Version)
		return nil
	}

	var engine engineLog
	if addr := fs.Arg(0); addr != "" {
		conn, err := grpc.NewClient(addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			rpcutil.GrpcChannelOptions())
		if err != nil {
			return fmt.Errorf("connecting to the engine at %s: %w", addr, err)
		}
		defer conn.Close()
		engine = &hostClient{client: pulumirpc.NewEngineClient(conn)}
	}

	prov := newProvider(engine)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, prov)
			return nil
		},
	})
	if err != nil {
		return err
	}
	// The engine reads the port from the first line of stdout.
	fmt.Fprintf(stdout, "%d\n", handle.Port)
	return <-handle.Done
}
