package main

// A tiny in-process SSH server for tests: public-key auth, "env" requests
// (accepted for names in acceptEnv), "exec" runs `sh -c` locally.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

type testServer struct {
	addr       string
	host       string
	port       int
	hostKey    string // authorized_keys form
	clientKey  string // PEM private key
	acceptEnv  map[string]bool
	mu         sync.Mutex
	ranCmds    []string
	listener   net.Listener
	authorized ssh.PublicKey
}

func newTestServer(t *testing.T, acceptEnv ...string) *testServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshClientPub, err := ssh.NewPublicKey(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{
		hostKey:    string(ssh.MarshalAuthorizedKey(hostSigner.PublicKey())),
		clientKey:  string(pem.EncodeToMemory(blk)),
		acceptEnv:  map[string]bool{},
		authorized: sshClientPub,
	}
	for _, e := range acceptEnv {
		s.acceptEnv[e] = true
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) == string(s.authorized.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unauthorized")
		},
	}
	cfg.AddHostKey(hostSigner)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.listener = l
	s.addr = l.Addr().String()
	s.host = "127.0.0.1"
	s.port = l.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serveConn(c, cfg)
		}
	}()
	return s
}

func (s *testServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranCmds...)
}

func (s *testServer) serveConn(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		_ = c.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go s.serveSession(ch, creqs)
	}
}

func sshString(b []byte) (string, []byte) {
	if len(b) < 4 {
		return "", nil
	}
	n := binary.BigEndian.Uint32(b)
	if int(n) > len(b)-4 {
		return "", nil
	}
	return string(b[4 : 4+n]), b[4+n:]
}

func (s *testServer) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	env := []string{"PATH=" + os.Getenv("PATH")}
	for req := range reqs {
		switch req.Type {
		case "env":
			name, rest := sshString(req.Payload)
			val, _ := sshString(rest)
			ok := s.acceptEnv[name]
			if ok {
				env = append(env, name+"="+val)
			}
			_ = req.Reply(ok, nil)
		case "exec":
			cmdline, _ := sshString(req.Payload)
			_ = req.Reply(true, nil)
			s.mu.Lock()
			s.ranCmds = append(s.ranCmds, cmdline)
			s.mu.Unlock()
			cmd := exec.Command("/bin/sh", "-c", cmdline)
			cmd.Env = env
			cmd.Stdout = ch
			cmd.Stderr = ch.Stderr()
			stdin, _ := cmd.StdinPipe()
			go func() { _, _ = io.Copy(stdin, ch); _ = stdin.Close() }()
			code := 0
			if err := cmd.Run(); err != nil {
				code = 255
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				}
			}
			status := make([]byte, 4)
			binary.BigEndian.PutUint32(status, uint32(code))
			_, _ = ch.SendRequest("exit-status", false, status)
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}
