package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
)

const testURN = "urn:pulumi:t::p::command:remote:Command::cmd"

func str(s string) resource.PropertyValue                    { return resource.NewStringProperty(s) }
func num(n float64) resource.PropertyValue                   { return resource.NewNumberProperty(n) }
func secret(v resource.PropertyValue) resource.PropertyValue { return resource.MakeSecret(v) }
func unknown() resource.PropertyValue {
	return resource.MakeComputed(str(""))
}
func obj(m map[string]resource.PropertyValue) resource.PropertyValue {
	return resource.NewObjectProperty(resource.NewPropertyMapFromMap(toAny(m)))
}
func toAny(m map[string]resource.PropertyValue) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func baseInputs() resource.PropertyMap {
	return resource.PropertyMap{
		"connection": secret(obj(map[string]resource.PropertyValue{
			"host": str("10.0.0.1"), "port": num(22), "user": str("root"),
			"privateKey": secret(str("KEY")), "dialErrorLimit": num(10), "perDialTimeout": num(15),
		})),
		"create": str("/bin/bash -s"),
		"stdin":  secret(str("echo hi")),
	}
}

// ---- Diff ---------------------------------------------------------------

func diffKeys(t *testing.T, olds, news resource.PropertyMap, ignore ...string) *pulumirpc.DiffResponse {
	t.Helper()
	d, err := diffInputs(olds, news, ignore)
	if err != nil {
		t.Fatal(err)
	}
	return diffResponse(d)
}

func TestDiffNoChange(t *testing.T) {
	r := diffKeys(t, baseInputs(), baseInputs())
	if r.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(r.Diffs) != 0 {
		t.Fatalf("want no diff, got %v", r)
	}
}

func TestDiffSecretnessAndNullAreNotChanges(t *testing.T) {
	news := baseInputs()
	news["stdin"] = str("echo hi") // same value, no longer secret
	news["update"] = resource.NewNullProperty()
	r := diffKeys(t, baseInputs(), news)
	if r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("want no diff, got %v", r.Diffs)
	}
}

func TestDiffUpdate(t *testing.T) {
	news := baseInputs()
	news["stdin"] = secret(str("echo bye"))
	news["environment"] = obj(map[string]resource.PropertyValue{"A": str("1")})
	r := diffKeys(t, baseInputs(), news)
	if r.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(r.Replaces) != 0 {
		t.Fatalf("want in-place update, got %v", r)
	}
	if strings.Join(r.Diffs, ",") != "environment,stdin" {
		t.Fatalf("diffs = %v", r.Diffs)
	}
	if r.DetailedDiff["environment"].Kind != pulumirpc.PropertyDiff_ADD ||
		r.DetailedDiff["stdin"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Fatalf("detailed diff = %v", r.DetailedDiff)
	}
}

func TestDiffConnectionChangeIsUpdate(t *testing.T) {
	news := baseInputs()
	c := peel(news["connection"]).ObjectValue().Copy()
	c["port"] = num(2222)
	news["connection"] = secret(resource.NewObjectProperty(c))
	r := diffKeys(t, baseInputs(), news)
	if strings.Join(r.Diffs, ",") != "connection" || len(r.Replaces) != 0 {
		t.Fatalf("got %v", r)
	}
}

func TestDiffTriggersReplace(t *testing.T) {
	olds := baseInputs()
	olds["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{str("a")})
	news := baseInputs()
	news["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{str("b")})
	r := diffKeys(t, olds, news)
	if strings.Join(r.Replaces, ",") != "triggers" || r.DetailedDiff["triggers"].Kind != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("want replace on triggers, got %v", r)
	}
	// Adding triggers also replaces.
	r = diffKeys(t, baseInputs(), news)
	if strings.Join(r.Replaces, ",") != "triggers" || r.DetailedDiff["triggers"].Kind != pulumirpc.PropertyDiff_ADD_REPLACE {
		t.Fatalf("want add-replace on triggers, got %v", r)
	}
	// Same triggers: nothing.
	if r := diffKeys(t, olds, olds.Copy()); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("want none, got %v", r)
	}
}

func TestDiffUnknownIsChange(t *testing.T) {
	news := baseInputs()
	news["stdin"] = unknown()
	c := peel(news["connection"]).ObjectValue().Copy()
	c["host"] = unknown()
	news["connection"] = secret(resource.NewObjectProperty(c))
	news["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{unknown()})
	olds := baseInputs()
	olds["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{str("x")})
	r := diffKeys(t, olds, news)
	if strings.Join(r.Diffs, ",") != "connection,stdin,triggers" || strings.Join(r.Replaces, ",") != "triggers" {
		t.Fatalf("got %v", r)
	}
}

func TestDiffIgnoreChanges(t *testing.T) {
	news := baseInputs()
	news["stdin"] = str("other")
	if r := diffKeys(t, baseInputs(), news, "stdin"); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("want none, got %v", r.Diffs)
	}
}

func TestDiffFromStateIgnoresOutputs(t *testing.T) {
	state := baseInputs()
	state["stdout"] = str("out")
	state["stderr"] = str("")
	if r := diffKeys(t, oldInputsFromState(state), baseInputs()); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("want none, got %v", r.Diffs)
	}
}

// ---- Check / defaults ------------------------------------------------------

func TestCheckDefaults(t *testing.T) {
	news := resource.PropertyMap{
		"connection": obj(map[string]resource.PropertyValue{"host": str("h"), "privateKey": secret(str("K"))}),
		"create":     str("true"),
	}
	out, failures := checkInputs(news)
	if len(failures) != 0 {
		t.Fatal(failures)
	}
	if !out["connection"].IsSecret() {
		t.Fatal("connection should be secret after Check")
	}
	c := peel(out["connection"]).ObjectValue()
	if c["user"].StringValue() != "root" || c["port"].NumberValue() != 22 ||
		c["dialErrorLimit"].NumberValue() != 10 || c["perDialTimeout"].NumberValue() != 15 {
		t.Fatalf("defaults not applied: %v", c)
	}
	if !c["privateKey"].IsSecret() {
		t.Fatal("nested secret lost")
	}
	// Given values win.
	news["connection"] = secret(obj(map[string]resource.PropertyValue{"host": str("h"), "user": str("u"), "port": num(2)}))
	out, _ = checkInputs(news)
	c = peel(out["connection"]).ObjectValue()
	if c["user"].StringValue() != "u" || c["port"].NumberValue() != 2 {
		t.Fatalf("given values overridden: %v", c)
	}
	// Decoding applies the same defaults (state written without them).
	a, err := decodeArgs(resource.PropertyMap{"connection": obj(map[string]resource.PropertyValue{"host": str("h")})})
	if err != nil {
		t.Fatal(err)
	}
	if a.Connection.User != "root" || a.Connection.Port != 22 || a.Connection.DialErrorLimit != 10 ||
		a.Connection.PerDialTimeout != 15 || !a.AddPreviousOutputInEnv || !a.logStdout() || !a.logStderr() {
		t.Fatalf("decode defaults: %+v", a)
	}
}

func TestCheckFailures(t *testing.T) {
	_, f := checkInputs(resource.PropertyMap{"create": str("x")})
	if len(f) != 1 || f[0].Property != "connection" {
		t.Fatalf("missing connection: %v", f)
	}
	_, f = checkInputs(resource.PropertyMap{"connection": obj(map[string]resource.PropertyValue{"user": str("u")})})
	if len(f) != 1 || f[0].Property != "connection.host" {
		t.Fatalf("missing host: %v", f)
	}
	_, f = checkInputs(resource.PropertyMap{"connection": obj(map[string]resource.PropertyValue{
		"host": str("h"), "proxy": obj(map[string]resource.PropertyValue{"host": str("p")}),
	})})
	if len(f) != 1 || f[0].Property != "connection.proxy" || !strings.Contains(f[0].Reason, "plugin install resource command") {
		t.Fatalf("proxy: %v", f)
	}
	_, f = checkInputs(resource.PropertyMap{"connection": obj(map[string]resource.PropertyValue{"host": str("h")}),
		"logging": str("loud")})
	if len(f) != 1 || f[0].Property != "logging" {
		t.Fatalf("logging: %v", f)
	}
	// Unknown connection (preview): no failure, stays unknown, secret.
	out, f := checkInputs(resource.PropertyMap{"connection": unknown()})
	if len(f) != 0 || !out["connection"].IsSecret() || !out["connection"].ContainsUnknowns() {
		t.Fatalf("unknown connection: %v %v", f, out)
	}
}

// ---- host keys ---------------------------------------------------------------

func TestHostKeyAlgorithms(t *testing.T) {
	if got := hostKeyAlgorithms(ssh.KeyAlgoED25519); strings.Join(got, ",") != ssh.KeyAlgoED25519 {
		t.Fatal(got)
	}
	got := hostKeyAlgorithms(ssh.KeyAlgoRSA)
	if strings.Join(got, ",") != "rsa-sha2-512,rsa-sha2-256,ssh-rsa" {
		t.Fatal(got)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&k.PublicKey)
	hk := string(ssh.MarshalAuthorizedKey(pub))
	cfg, closeFn, err := clientConfig(connection{Host: "h", User: "u", HostKey: &hk})
	closeFn()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.HostKeyAlgorithms, ",") != "rsa-sha2-512,rsa-sha2-256,ssh-rsa" {
		t.Fatal(cfg.HostKeyAlgorithms)
	}
	bad := "not a key"
	if _, _, err := clientConfig(connection{HostKey: &bad}); err == nil || !strings.Contains(err.Error(), "hostKey") {
		t.Fatalf("want parse error, got %v", err)
	}
	if cfg, _, _ := clientConfig(connection{}); cfg.HostKeyAlgorithms != nil || cfg.HostKeyCallback == nil {
		t.Fatal("no hostKey: want insecure callback, no algorithm restriction")
	}
}

// ---- SSH round trip through the provider RPCs --------------------------------------

type captureLog struct {
	mu   sync.Mutex
	msgs []string
}

func (c *captureLog) Log(_ context.Context, sev pulumirpc.LogSeverity, urn, msg string, eph bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, sev.String()+":"+msg)
}

func (c *captureLog) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.msgs, "\n")
}

func serverInputs(s *testServer, pinHostKey bool) resource.PropertyMap {
	conn := map[string]resource.PropertyValue{
		"host": str(s.host), "port": num(float64(s.port)), "user": str("tester"),
		"privateKey": secret(str(s.clientKey)), "dialErrorLimit": num(0), "perDialTimeout": num(5),
	}
	if pinHostKey {
		conn["hostKey"] = str(strings.TrimSpace(s.hostKey))
	}
	return resource.PropertyMap{"connection": secret(obj(conn))}
}

func create(t *testing.T, p *commandProvider, in resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	t.Helper()
	checked, failures := checkInputs(in)
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	props, err := marshal(checked)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: testURN, Properties: props, Preview: preview})
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(resp.Id, "cmd") {
		t.Fatalf("id %q", resp.Id)
	}
	out, err := unmarshal(resp.Properties)
	if err != nil {
		t.Fatal(err)
	}
	return out, nil
}

func TestRoundTrip(t *testing.T) {
	s := newTestServer(t, "GREETING", envPrevStdout)
	log := &captureLog{}
	p := newProvider(log)

	in := serverInputs(s, true)
	in["create"] = str("cat; echo err >&2")
	in["stdin"] = secret(str("hello from stdin\n"))
	in["environment"] = obj(map[string]resource.PropertyValue{"GREETING": str("hi")})
	in["delete"] = str("cat >/dev/null; echo deleted")

	// Preview: nothing runs, stdout/stderr unknown.
	out, err := create(t, p, in, true)
	if err != nil {
		t.Fatal(err)
	}
	if !out["stdout"].IsComputed() || !out["stderr"].IsComputed() || len(s.commands()) != 0 {
		t.Fatalf("preview ran or outputs known: %v %v", out, s.commands())
	}

	state, err := create(t, p, in, false)
	if err != nil {
		t.Fatal(err)
	}
	if state["stdout"].StringValue() != "hello from stdin" || state["stderr"].StringValue() != "err" {
		t.Fatalf("outputs: %q %q", state["stdout"], state["stderr"])
	}
	if !state["connection"].IsSecret() || !state["stdin"].IsSecret() || state["create"].IsSecret() {
		t.Fatal("secretness of outputs differs from inputs")
	}
	if logs := log.all(); !strings.Contains(logs, "INFO:hello from stdin") || !strings.Contains(logs, "INFO:err") {
		t.Fatalf("output not logged: %q", logs)
	}

	// Update: runs `update`, sees the previous stdout in the environment.
	news := state.Copy()
	delete(news, "stdout")
	delete(news, "stderr")
	news["update"] = str(`echo "prev=$PULUMI_COMMAND_STDOUT greeting=$GREETING"`)
	olds, _ := marshal(state)
	np, _ := marshal(news)
	uresp, err := p.Update(context.Background(), &pulumirpc.UpdateRequest{Urn: testURN, Olds: olds, News: np})
	if err != nil {
		t.Fatal(err)
	}
	ustate, _ := unmarshal(uresp.Properties)
	if got := ustate["stdout"].StringValue(); got != "prev=hello from stdin greeting=hi" {
		t.Fatalf("update stdout %q", got)
	}

	// Delete: runs `delete` with the stored stdin.
	sp, _ := marshal(ustate)
	if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: testURN, Properties: sp}); err != nil {
		t.Fatal(err)
	}
	cmds := s.commands()
	if len(cmds) != 3 || cmds[2] != "cat >/dev/null; echo deleted" {
		t.Fatalf("commands run: %q", cmds)
	}
	if !strings.Contains(log.all(), "INFO:deleted") {
		t.Fatal("delete output not logged")
	}
}

func TestRoundTripFailure(t *testing.T) {
	s := newTestServer(t)
	p := newProvider(nil)
	in := serverInputs(s, true)
	in["create"] = str("echo to-out; echo to-err >&2; exit 3")
	in["stdin"] = str("TOPSECRET-STDIN")
	_, err := create(t, p, in, false)
	if err == nil {
		t.Fatal("want error")
	}
	msg := err.Error()
	for _, want := range []string{"exited with status 3", `running "echo to-out; echo to-err >&2; exit 3":`, "to-out", "to-err"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "TOPSECRET") || strings.Contains(msg, "PRIVATE KEY") {
		t.Fatalf("error leaks inputs: %q", msg)
	}
}

func TestRoundTripEnvRefused(t *testing.T) {
	s := newTestServer(t) // accepts no env
	log := &captureLog{}
	p := newProvider(log)
	in := serverInputs(s, false)
	in["create"] = str("true")
	in["environment"] = obj(map[string]resource.PropertyValue{"NOPE": str("1")})
	_, err := create(t, p, in, false)
	if err == nil || !strings.Contains(err.Error(), `could not set environment variable "NOPE"`) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(log.all(), "ERROR:Unable to set 'NOPE'") {
		t.Fatalf("no error log: %q", log.all())
	}
	// Refused PULUMI_COMMAND_STDOUT only warns.
	a, err := decodeArgs(func() resource.PropertyMap { m := serverInputs(s, false); return m }())
	if err != nil {
		t.Fatal(err)
	}
	a.Stdout = "previous"
	if out, _, err := runCommand(context.Background(), a, "echo ok", resourceLogger{context.Background(), log, testURN}); err != nil || out != "ok" {
		t.Fatalf("got %q %v", out, err)
	}
	if !strings.Contains(log.all(), "WARNING:Unable to set 'PULUMI_COMMAND_STDOUT'") {
		t.Fatalf("no warning: %q", log.all())
	}
}

func TestRoundTripWrongHostKey(t *testing.T) {
	s := newTestServer(t)
	other := newTestServer(t)
	p := newProvider(nil)
	in := serverInputs(s, false)
	c := peel(in["connection"]).ObjectValue()
	c["hostKey"] = str(other.hostKey)
	in["create"] = str("true")
	_, err := create(t, p, in, false)
	if err == nil || !strings.Contains(err.Error(), "host key mismatch") {
		t.Fatalf("want host key mismatch, got %v", err)
	}
	if len(s.commands()) != 0 {
		t.Fatal("command ran despite wrong host key")
	}
}

func TestDialRetries(t *testing.T) {
	// A closed port: limit 2 => 3 attempts, then the error names the count.
	a := &commandArgs{Connection: connection{Host: "127.0.0.1", Port: 1, User: "u", DialErrorLimit: 2, PerDialTimeout: 1}}
	log := &captureLog{}
	start := time.Now()
	_, _, err := runCommand(context.Background(), a, "true", resourceLogger{context.Background(), log, testURN})
	if err == nil || !strings.Contains(err.Error(), "after 2 failed attempts") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(log.all(), "Dial 2/2 failed: retrying") || time.Since(start) > 10*time.Second {
		t.Fatalf("retries: %q", log.all())
	}
}

func TestPreviewUpdateKeepsOutputsWithoutCommand(t *testing.T) {
	p := newProvider(nil)
	olds := baseInputs()
	delete(olds, "create")
	olds["stdout"] = str("o")
	olds["stderr"] = str("e")
	news := baseInputs()
	delete(news, "create")
	news["stdin"] = str("changed")
	op, _ := marshal(olds)
	np, _ := marshal(news)
	resp, err := p.Update(context.Background(), &pulumirpc.UpdateRequest{Urn: testURN, Olds: op, News: np, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := unmarshal(resp.Properties)
	if out["stdout"].StringValue() != "o" {
		t.Fatalf("got %v", out)
	}
	news["create"] = str("x")
	np, _ = marshal(news)
	resp, _ = p.Update(context.Background(), &pulumirpc.UpdateRequest{Urn: testURN, Olds: op, News: np, Preview: true})
	out, _ = unmarshal(resp.Properties)
	if !out["stdout"].IsComputed() {
		t.Fatalf("want unknown stdout, got %v", out)
	}
}

func TestOtherTypesRefused(t *testing.T) {
	p := newProvider(nil)
	_, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: "urn:pulumi:t::p::command:local:Command::x"})
	if err == nil || !strings.Contains(err.Error(), "command:local:Command") {
		t.Fatalf("got %v", err)
	}
}
