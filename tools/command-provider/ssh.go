package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

const (
	envPrevStdout = "PULUMI_COMMAND_STDOUT"
	envPrevStderr = "PULUMI_COMMAND_STDERR"
)

// logger receives progress and output lines of one resource operation.
type logger interface {
	// Status is an ephemeral info message shown next to the resource.
	Status(msg string)
	Warning(msg string)
	Error(msg string)
}

type nopLogger struct{}

func (nopLogger) Status(string)  {}
func (nopLogger) Warning(string) {}
func (nopLogger) Error(string)   {}

// hostKeyAlgorithms lists the signature algorithms acceptable for a pinned
// host key of the given type. An ssh-rsa key can sign with SHA-2 (what
// current servers use) or SHA-1.
func hostKeyAlgorithms(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// clientConfig builds the SSH client configuration. The returned closer releases
// an agent connection, if one was opened.
func clientConfig(c connection) (*ssh.ClientConfig, func(), error) {
	cfg := &ssh.ClientConfig{
		User:    c.User,
		Timeout: time.Duration(c.PerDialTimeout) * time.Second,
	}
	closer := func() {}
	if c.HostKey != nil {
		pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.HostKey))
		if err != nil {
			return nil, closer, fmt.Errorf("failed to parse connection.hostKey: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(pk)
		cfg.HostKeyAlgorithms = hostKeyAlgorithms(pk.Type())
	} else {
		// Same as the official provider: without a pinned key, any host key is accepted.
		cfg.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec
	}

	if c.PrivateKey != nil {
		var signer ssh.Signer
		var err error
		if c.PrivateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.PrivateKey), []byte(*c.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.PrivateKey))
		}
		if err != nil {
			// x/crypto's parse errors do not echo key material.
			return nil, closer, fmt.Errorf("failed to parse connection.privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if c.Password != nil {
		pw := *c.Password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}

	sock, explicit := "", false
	if c.AgentSocketPath != nil {
		sock, explicit = *c.AgentSocketPath, true
	} else {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" {
		conn, err := net.Dial("unix", sock)
		switch {
		case err == nil:
			closer = func() { _ = conn.Close() }
			cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
		case explicit:
			return nil, closer, fmt.Errorf("connecting to SSH agent at connection.agentSocketPath: %w", err)
		}
		// An unreachable agent from SSH_AUTH_SOCK is ignored (other methods may work).
	}
	return cfg, closer, nil
}

// dialOnce connects and completes the SSH handshake, all within cfg.Timeout
// (0 = no limit).
func dialOnce(ctx context.Context, addr string, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(cfg.Timeout))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	stop()
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(cc, chans, reqs), nil
}

// dial connects with retries: like the official provider, up to limit+1
// attempts (limit -1 = unlimited), with a growing pause between attempts.
func dial(ctx context.Context, c connection, cfg *ssh.ClientConfig, log logger) (*ssh.Client, error) {
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	limit := "inf"
	if c.DialErrorLimit >= 0 {
		limit = strconv.Itoa(c.DialErrorLimit)
	}
	delay := 500 * time.Millisecond
	for try := 0; ; try++ {
		client, err := dialOnce(ctx, addr, cfg)
		if err == nil {
			return client, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if c.DialErrorLimit >= 0 && try+1 > c.DialErrorLimit {
			return nil, fmt.Errorf("after %d failed attempts: %w", try, err)
		}
		log.Status(fmt.Sprintf("Dial %d/%s failed: retrying", try+1, limit))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		if delay *= 2; delay > 5*time.Second {
			delay = 5 * time.Second
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent stdout/stderr copiers.
type lockedBuffer struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (b lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lineLogger forwards complete lines written to it to log.Status. Lines longer
// than maxLine are forwarded in pieces. Safe for concurrent use.
type lineLogger struct {
	mu   sync.Mutex
	log  logger
	part []byte
}

const maxLine = 64 * 1024

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.part = append(l.part, p...)
			for len(l.part) >= maxLine {
				l.log.Status(string(l.part[:maxLine]))
				l.part = append([]byte(nil), l.part[maxLine:]...)
			}
			break
		}
		l.part = append(l.part, p[:i]...)
		l.log.Status(strings.TrimSuffix(string(l.part), "\r"))
		l.part = l.part[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.part) > 0 {
		l.log.Status(string(l.part))
		l.part = nil
	}
}

const setenvHint = "Unable to set '%s'. This only works if the SSH server accepts the variable (sshd_config AcceptEnv). " +
	"Alternatively, prefix the command itself with the variable, e.g. 'VAR=value command'."

// runCommand runs cmd on the host of a.Connection. It returns stdout and stderr
// with one trailing newline removed. On failure the error names the command and
// carries its combined output, never connection fields or stdin.
func runCommand(ctx context.Context, a *commandArgs, cmd string, log logger) (string, string, error) {
	cfg, closeAgent, err := clientConfig(a.Connection)
	defer closeAgent()
	if err != nil {
		return "", "", err
	}
	client, err := dial(ctx, a.Connection, cfg, log)
	if err != nil {
		return "", "", err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()

	keys := make([]string, 0, len(a.Environment))
	for k := range a.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := session.Setenv(k, a.Environment[k]); err != nil {
			log.Error(fmt.Sprintf(setenvHint, k))
			return "", "", fmt.Errorf("could not set environment variable %q: %w", k, err)
		}
	}
	if a.AddPreviousOutputInEnv {
		for _, e := range []struct{ k, v string }{{envPrevStdout, a.Stdout}, {envPrevStderr, a.Stderr}} {
			if e.v == "" {
				continue
			}
			if err := session.Setenv(e.k, e.v); err != nil {
				log.Warning(fmt.Sprintf(setenvHint, e.k))
			}
		}
	}
	if a.Stdin != nil && *a.Stdin != "" {
		session.Stdin = strings.NewReader(*a.Stdin)
	}

	var stdout, stderr, combined bytes.Buffer
	var mu sync.Mutex
	comb := lockedBuffer{&mu, &combined}
	lines := &lineLogger{log: log}
	outW := []io.Writer{&stdout, comb}
	errW := []io.Writer{&stderr, comb}
	if a.logStdout() {
		outW = append(outW, lines)
	}
	if a.logStderr() {
		errW = append(errW, lines)
	}
	session.Stdout = io.MultiWriter(outW...)
	session.Stderr = io.MultiWriter(errW...)

	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = client.Close()
		case <-done:
		}
	}()
	err = session.Run(cmd)
	close(done)
	lines.Flush()
	if err != nil {
		mu.Lock()
		out := combined.String()
		mu.Unlock()
		return "", "", fmt.Errorf("%w: running %q:\n%s", err, cmd, out)
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}
