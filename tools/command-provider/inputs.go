package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Property names of command:remote:Command.
const (
	keyConnection  = "connection"
	keyCreate      = "create"
	keyUpdate      = "update"
	keyDelete      = "delete"
	keyStdin       = "stdin"
	keyEnvironment = "environment"
	keyTriggers    = "triggers"
	keyAddPrevious = "addPreviousOutputInEnv"
	keyLogging     = "logging"
	keyStdout      = "stdout"
	keyStderr      = "stderr"
)

// Defaults of the connection object (the same values the npm SDK fills in).
const (
	defaultUser           = "root"
	defaultPort           = 22
	defaultDialErrorLimit = 10
	defaultPerDialTimeout = 15
)

var loggingModes = []string{"stdout", "stderr", "stdoutAndStderr", "none"}

// peel removes any number of secret wrappers around v.
func peel(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// absent is true for a missing or null value (through secrets).
func absent(v resource.PropertyValue) bool {
	return peel(v).IsNull()
}

// plain returns a deep copy of v with every secret wrapper removed. Unknowns and
// everything else are kept as they are.
func plain(v resource.PropertyValue) resource.PropertyValue {
	v = peel(v)
	switch {
	case v.IsObject():
		return resource.NewObjectProperty(plainMap(v.ObjectValue()))
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	}
	return v
}

func plainMap(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, e := range m {
		out[k] = plain(e)
	}
	return out
}

// hasUnknown reports whether v is, or contains, an unknown (computed) value.
func hasUnknown(v resource.PropertyValue) bool {
	return v.ContainsUnknowns()
}

// connection is the decoded `connection` input.
type connection struct {
	Host               string
	Port               int
	User               string
	Password           *string
	PrivateKey         *string
	PrivateKeyPassword *string
	HostKey            *string
	AgentSocketPath    *string
	DialErrorLimit     int
	PerDialTimeout     int
}

// commandArgs is the decoded input (or state) of a command:remote:Command.
type commandArgs struct {
	Connection             connection
	Create                 *string
	Update                 *string
	Delete                 *string
	Stdin                  *string
	Environment            map[string]string
	AddPreviousOutputInEnv bool
	Logging                string
	// From state only (previous run).
	Stdout string
	Stderr string
}

func (a *commandArgs) logStdout() bool {
	return a.Logging == "" || a.Logging == "stdout" || a.Logging == "stdoutAndStderr"
}

func (a *commandArgs) logStderr() bool {
	return a.Logging == "" || a.Logging == "stderr" || a.Logging == "stdoutAndStderr"
}

func optString(m resource.PropertyMap, key string, where string) (*string, error) {
	v := peel(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return nil, nil
	case v.IsString():
		s := v.StringValue()
		return &s, nil
	case v.IsComputed() || v.IsOutput():
		return nil, fmt.Errorf("%s%s is unknown", where, key)
	}
	return nil, fmt.Errorf("%s%s must be a string, got %s", where, key, v.TypeString())
}

func optInt(m resource.PropertyMap, key, where string, def int) (int, error) {
	v := peel(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return def, nil
	case v.IsNumber():
		f := v.NumberValue()
		if f != float64(int(f)) {
			return 0, fmt.Errorf("%s%s must be an integer, got %v", where, key, f)
		}
		return int(f), nil
	case v.IsComputed() || v.IsOutput():
		return 0, fmt.Errorf("%s%s is unknown", where, key)
	}
	return 0, fmt.Errorf("%s%s must be a number, got %s", where, key, v.TypeString())
}

// decodeArgs turns fully known inputs (or state) into commandArgs. Error texts
// name properties, never their values.
func decodeArgs(m resource.PropertyMap) (*commandArgs, error) {
	a := &commandArgs{AddPreviousOutputInEnv: true}
	var err error

	cv := peel(m[keyConnection])
	if !cv.IsObject() {
		if cv.IsNull() {
			return nil, fmt.Errorf("missing required property 'connection'")
		}
		return nil, fmt.Errorf("connection must be an object, got %s", cv.TypeString())
	}
	if a.Connection, err = decodeConnection(cv.ObjectValue()); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		key string
		dst **string
	}{{keyCreate, &a.Create}, {keyUpdate, &a.Update}, {keyDelete, &a.Delete}, {keyStdin, &a.Stdin}} {
		if *f.dst, err = optString(m, f.key, ""); err != nil {
			return nil, err
		}
	}
	if ev := peel(m[keyEnvironment]); !ev.IsNull() {
		if !ev.IsObject() {
			return nil, fmt.Errorf("environment must be a map of strings, got %s", ev.TypeString())
		}
		a.Environment = map[string]string{}
		for k := range ev.ObjectValue() {
			s, err := optString(ev.ObjectValue(), string(k), "environment.")
			if err != nil {
				return nil, err
			}
			if s != nil {
				a.Environment[string(k)] = *s
			}
		}
	}
	if bv := peel(m[keyAddPrevious]); !bv.IsNull() {
		if !bv.IsBool() {
			return nil, fmt.Errorf("addPreviousOutputInEnv must be a boolean, got %s", bv.TypeString())
		}
		a.AddPreviousOutputInEnv = bv.BoolValue()
	}
	lg, err := optString(m, keyLogging, "")
	if err != nil {
		return nil, err
	}
	if lg != nil {
		if err := checkLogging(*lg); err != nil {
			return nil, err
		}
		a.Logging = *lg
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{keyStdout, &a.Stdout}, {keyStderr, &a.Stderr}} {
		s, err := optString(m, f.key, "")
		if err == nil && s != nil {
			*f.dst = *s
		}
	}
	return a, nil
}

func checkLogging(s string) error {
	for _, l := range loggingModes {
		if s == l {
			return nil
		}
	}
	return fmt.Errorf("logging must be one of %s, got %q", strings.Join(loggingModes, ", "), s)
}

func decodeConnection(m resource.PropertyMap) (connection, error) {
	const w = "connection."
	c := connection{}
	var err error
	if !absent(m["proxy"]) {
		return c, errProxyUnsupported
	}
	host, err := optString(m, "host", w)
	if err != nil {
		return c, err
	}
	if host == nil || *host == "" {
		return c, fmt.Errorf("missing required property 'connection.host'")
	}
	c.Host = *host
	user, err := optString(m, "user", w)
	if err != nil {
		return c, err
	}
	c.User = defaultUser
	if user != nil {
		c.User = *user
	}
	if c.Port, err = optInt(m, "port", w, defaultPort); err != nil {
		return c, err
	}
	if c.DialErrorLimit, err = optInt(m, "dialErrorLimit", w, defaultDialErrorLimit); err != nil {
		return c, err
	}
	if c.PerDialTimeout, err = optInt(m, "perDialTimeout", w, defaultPerDialTimeout); err != nil {
		return c, err
	}
	for _, f := range []struct {
		key string
		dst **string
	}{
		{"password", &c.Password}, {"privateKey", &c.PrivateKey}, {"privateKeyPassword", &c.PrivateKeyPassword},
		{"hostKey", &c.HostKey}, {"agentSocketPath", &c.AgentSocketPath},
	} {
		if *f.dst, err = optString(m, f.key, w); err != nil {
			return c, err
		}
	}
	return c, nil
}

var errProxyUnsupported = fmt.Errorf("connection.proxy is not supported by this build of pulumi-resource-command " +
	"(the k3s-hardening compatibility provider); install the official plugin with " +
	"`pulumi plugin install resource command 1.2.1` to use a bastion/proxy host")

// checkInputs applies the connection defaults to news and validates what can be
// validated (unknown values are left alone). `connection` is returned as a secret.
func checkInputs(news resource.PropertyMap) (resource.PropertyMap, []checkFailure) {
	out := news.Copy()
	var failures []checkFailure

	cv := out[keyConnection]
	switch {
	case absent(cv):
		failures = append(failures, checkFailure{keyConnection, "missing required property 'connection'"})
	case peel(cv).IsObject():
		conn := peel(cv).ObjectValue().Copy()
		set := func(k string, v resource.PropertyValue) {
			if absent(conn[resource.PropertyKey(k)]) {
				conn[resource.PropertyKey(k)] = v
			}
		}
		set("user", resource.NewStringProperty(defaultUser))
		set("port", resource.NewNumberProperty(defaultPort))
		set("dialErrorLimit", resource.NewNumberProperty(defaultDialErrorLimit))
		set("perDialTimeout", resource.NewNumberProperty(defaultPerDialTimeout))
		if absent(conn["host"]) {
			failures = append(failures, checkFailure{"connection.host", "missing required property 'connection.host'"})
		}
		if !absent(conn["proxy"]) {
			failures = append(failures, checkFailure{"connection.proxy", errProxyUnsupported.Error()})
		}
		out[keyConnection] = resource.MakeSecret(resource.NewObjectProperty(conn))
	case peel(cv).IsComputed() || peel(cv).IsOutput():
		out[keyConnection] = resource.MakeSecret(peel(cv))
	default:
		failures = append(failures, checkFailure{keyConnection, "connection must be an object"})
	}

	if lv := peel(out[keyLogging]); lv.IsString() {
		if err := checkLogging(lv.StringValue()); err != nil {
			failures = append(failures, checkFailure{keyLogging, err.Error()})
		}
	}
	if ev := peel(out[keyEnvironment]); !ev.IsNull() && !ev.IsObject() && !ev.IsComputed() && !ev.IsOutput() {
		failures = append(failures, checkFailure{keyEnvironment, "environment must be a map of strings"})
	}
	return out, failures
}

type checkFailure struct{ Property, Reason string }

// inputKeys are the properties a Command takes as inputs (outputs add stdout/stderr).
func isOutputOnly(k resource.PropertyKey) bool {
	return k == keyStdout || k == keyStderr
}

// propDiff is the change of one top-level input property.
type propDiff struct {
	Key     string
	Kind    string // "add", "delete", "update"
	Replace bool
}

// diffInputs compares old inputs with new inputs. A property that is (or contains)
// an unknown value counts as changed. Secretness alone is not a change. A change
// of `triggers` requires replacement; any other change is an in-place update.
func diffInputs(olds, news resource.PropertyMap, ignoreChanges []string) ([]propDiff, error) {
	news = news.Copy()
	for _, ic := range ignoreChanges {
		path, err := resource.ParsePropertyPath(ic)
		if err != nil {
			return nil, fmt.Errorf("invalid ignoreChanges path %q: %w", ic, err)
		}
		if ov, ok := path.Get(resource.NewObjectProperty(olds)); ok {
			obj := resource.NewObjectProperty(news)
			if !path.Set(obj, ov) {
				// Could not set it (e.g. parent absent in news): fall back to top level only.
				if len(path) == 1 {
					news[resource.PropertyKey(ic)] = ov
				}
			}
		} else if len(path) == 1 {
			delete(news, resource.PropertyKey(ic))
		}
	}

	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var out []propDiff
	for k := range keys {
		if isOutputOnly(k) || k == "version" || strings.HasPrefix(string(k), "__") {
			continue
		}
		ov, nv := olds[k], news[k]
		oAbsent, nAbsent := absent(ov), absent(nv)
		var kind string
		switch {
		case oAbsent && nAbsent:
			continue
		case oAbsent:
			kind = "add"
		case nAbsent:
			kind = "delete"
		case hasUnknown(ov) || hasUnknown(nv):
			kind = "update"
		case plain(ov).DeepEquals(plain(nv)):
			continue
		default:
			kind = "update"
		}
		out = append(out, propDiff{Key: string(k), Kind: kind, Replace: k == keyTriggers})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// oldInputsFromState rebuilds old inputs from state when the engine sent none.
func oldInputsFromState(state resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range state {
		if !isOutputOnly(k) {
			out[k] = v
		}
	}
	return out
}
