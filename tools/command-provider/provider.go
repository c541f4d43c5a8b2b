package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	packageName     = "command"
	remoteCommandTy = "command:remote:Command"
)

// Version is reported to the engine; set with -ldflags "-X main.Version=...".
var Version = "1.2.1"

// engineLog sends log messages to the engine (nil-safe).
type engineLog interface {
	Log(ctx context.Context, sev pulumirpc.LogSeverity, urn, msg string, ephemeral bool)
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	engine engineLog
	cancel context.CancelFunc
	ctx    context.Context
}

func newProvider(engine engineLog) *commandProvider {
	ctx, cancel := context.WithCancel(context.Background())
	return &commandProvider{engine: engine, ctx: ctx, cancel: cancel}
}

var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns:  true,
	KeepSecrets:   true,
	KeepResources: true,
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, marshalOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOpts)
}

func checkType(urn, typ string) error {
	t := typ
	if t == "" {
		t = string(resource.URN(urn).Type())
	}
	if t != remoteCommandTy {
		return status.Errorf(codes.Unimplemented,
			"resource type %q is not implemented by this pulumi-resource-command (k3s-hardening compatibility "+
				"provider; only %s is); install the official plugin: pulumi plugin install resource command 1.2.1",
			t, remoteCommandTy)
	}
	return nil
}

// resourceLogger routes a resource's messages to the engine.
type resourceLogger struct {
	ctx    context.Context
	engine engineLog
	urn    string
}

func (l resourceLogger) Status(msg string) { l.send(pulumirpc.LogSeverity_INFO, msg, true) }
func (l resourceLogger) Warning(msg string) {
	l.send(pulumirpc.LogSeverity_WARNING, msg, false)
}
func (l resourceLogger) Error(msg string) { l.send(pulumirpc.LogSeverity_ERROR, msg, false) }
func (l resourceLogger) send(sev pulumirpc.LogSeverity, msg string, eph bool) {
	if l.engine != nil {
		l.engine.Log(l.ctx, sev, l.urn, msg, eph)
	}
}

// opContext is cancelled when either the RPC or the provider (Cancel) is.
func (p *commandProvider) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(p.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// ---- provider-level RPCs ----------------------------------------------------

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	b, err := json.Marshal(minimalSchema())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(b)}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{
		AcceptSecrets:   true,
		SupportsPreview: true,
		AcceptResources: true,
	}, nil
}

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.cancel()
	return &emptypb.Empty{}, nil
}

// ---- resource RPCs ----------------------------------------------------------

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	out, failures := checkInputs(news)
	inputs, err := marshal(out)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: inputs}
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	var olds resource.PropertyMap
	var err error
	if req.GetOldInputs() != nil {
		olds, err = unmarshal(req.GetOldInputs())
	} else {
		var state resource.PropertyMap
		state, err = unmarshal(req.GetOlds())
		olds = oldInputsFromState(state)
	}
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	diffs, err := diffInputs(olds, news, req.GetIgnoreChanges())
	if err != nil {
		return nil, err
	}
	return diffResponse(diffs), nil
}

func diffResponse(diffs []propDiff) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		HasDetailedDiff: true,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
	}
	for _, d := range diffs {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.Diffs = append(resp.Diffs, d.Key)
		var kind pulumirpc.PropertyDiff_Kind
		switch d.Kind {
		case "add":
			kind = pulumirpc.PropertyDiff_ADD
		case "delete":
			kind = pulumirpc.PropertyDiff_DELETE
		default:
			kind = pulumirpc.PropertyDiff_UPDATE
		}
		if d.Replace {
			resp.Replaces = append(resp.Replaces, d.Key)
			kind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
		}
		resp.DetailedDiff[d.Key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return resp
}

// withOutputs returns inputs plus stdout/stderr (unknown when out is nil).
func withOutputs(inputs resource.PropertyMap, out *[2]string) resource.PropertyMap {
	m := inputs.Copy()
	if out == nil {
		m[keyStdout] = resource.MakeComputed(resource.NewStringProperty(""))
		m[keyStderr] = resource.MakeComputed(resource.NewStringProperty(""))
	} else {
		m[keyStdout] = resource.NewStringProperty(out[0])
		m[keyStderr] = resource.NewStringProperty(out[1])
	}
	return m
}

func resourceName(urn, name string) string {
	if name != "" {
		return name
	}
	if u := resource.URN(urn); u.IsValid() {
		return u.Name()
	}
	return "command"
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, err := resource.NewUniqueHex(resourceName(req.GetUrn(), req.GetName()), 8, 0)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := marshal(withOutputs(news, nil))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
	}
	args, err := decodeArgs(news)
	if err != nil {
		return nil, fmt.Errorf("invalid inputs: %w", err)
	}
	out := [2]string{}
	if args.Create != nil {
		ctx, cancel := p.opContext(ctx)
		defer cancel()
		// A new resource has no previous output.
		args.Stdout, args.Stderr = "", ""
		out[0], out[1], err = runCommand(ctx, args, *args.Create, resourceLogger{ctx, p.engine, req.GetUrn()})
		if err != nil {
			return nil, err
		}
	}
	props, err := marshal(withOutputs(news, &out))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	prev := [2]string{}
	if s := peel(olds[keyStdout]); s.IsString() {
		prev[0] = s.StringValue()
	}
	if s := peel(olds[keyStderr]); s.IsString() {
		prev[1] = s.StringValue()
	}
	hasCmd := !absent(news[keyUpdate]) || !absent(news[keyCreate])
	if req.GetPreview() {
		var out *[2]string
		if !hasCmd {
			out = &prev
		}
		props, err := marshal(withOutputs(news, out))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.UpdateResponse{Properties: props}, nil
	}
	args, err := decodeArgs(news)
	if err != nil {
		return nil, fmt.Errorf("invalid inputs: %w", err)
	}
	args.Stdout, args.Stderr = prev[0], prev[1]
	out := prev
	cmd := args.Update
	if cmd == nil {
		cmd = args.Create
	}
	if cmd != nil {
		ctx, cancel := p.opContext(ctx)
		defer cancel()
		out[0], out[1], err = runCommand(ctx, args, *cmd, resourceLogger{ctx, p.engine, req.GetUrn()})
		if err != nil {
			return nil, err
		}
	}
	props, err := marshal(withOutputs(news, &out))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if absent(state[keyDelete]) {
		return &emptypb.Empty{}, nil
	}
	// The stored state (incl. stdin and the last stdout/stderr) drives delete, as upstream.
	args, err := decodeArgs(state)
	if err != nil {
		return nil, fmt.Errorf("invalid state: %w", err)
	}
	ctx, cancel := p.opContext(ctx)
	defer cancel()
	if _, _, err := runCommand(ctx, args, *args.Delete, resourceLogger{ctx, p.engine, req.GetUrn()}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if err := checkType(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// minimalSchema describes just what this provider implements.
func minimalSchema() map[string]any {
	str := map[string]any{"type": "string"}
	secretStr := map[string]any{"type": "string", "secret": true}
	conn := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"host": str, "port": map[string]any{"type": "number", "default": defaultPort},
			"user":               map[string]any{"type": "string", "default": defaultUser},
			"password":           secretStr,
			"privateKey":         secretStr,
			"privateKeyPassword": secretStr,
			"hostKey":            str,
			"agentSocketPath":    str,
			"dialErrorLimit":     map[string]any{"type": "integer", "default": defaultDialErrorLimit},
			"perDialTimeout":     map[string]any{"type": "integer", "default": defaultPerDialTimeout},
		},
		"required": []string{"host"},
	}
	inputs := map[string]any{
		"connection":             map[string]any{"$ref": "#/types/command:remote:Connection", "secret": true},
		"create":                 str,
		"update":                 str,
		"delete":                 str,
		"stdin":                  str,
		"environment":            map[string]any{"type": "object", "additionalProperties": str},
		"triggers":               map[string]any{"type": "array", "items": map[string]any{"$ref": "pulumi.json#/Any"}, "replaceOnChanges": true},
		"addPreviousOutputInEnv": map[string]any{"type": "boolean"},
		"logging":                map[string]any{"$ref": "#/types/command:remote:Logging"},
	}
	props := map[string]any{"stdout": str, "stderr": str}
	for k, v := range inputs {
		props[k] = v
	}
	var enum []map[string]any
	for _, l := range loggingModes {
		enum = append(enum, map[string]any{"value": l})
	}
	return map[string]any{
		"name":        packageName,
		"version":     strings.TrimPrefix(Version, "v"),
		"description": "k3s-hardening compatibility provider: command:remote:Command only",
		"types": map[string]any{
			"command:remote:Connection": conn,
			"command:remote:Logging":    map[string]any{"type": "string", "enum": enum},
		},
		"resources": map[string]any{
			remoteCommandTy: map[string]any{
				"inputProperties": inputs,
				"requiredInputs":  []string{"connection"},
				"properties":      props,
				"required":        []string{"connection", "stdout", "stderr"},
			},
		},
	}
}
