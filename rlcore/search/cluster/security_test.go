package cluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"
)

// writeCert writes a certificate (signed by parent, or self-signed when
// parent is nil) and its key as PEM files named name.pem and name-key.pem.
func writeCert(t *testing.T, dir, name string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, name+"-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func TestTLSAndNkeys(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := writeCert(t, dir, "ca", true, nil, nil)
	writeCert(t, dir, "server", false, ca, caKey)
	writeCert(t, dir, "client", false, ca, caKey)
	user, _ := nkeys.CreateUser()
	seed, _ := user.Seed()
	pub, _ := user.PublicKey()
	os.WriteFile(filepath.Join(dir, "user.nk"), seed, 0o600)
	conf := filepath.Join(dir, "nats.conf")
	os.WriteFile(conf, []byte(`tls {
  cert_file: "`+dir+`/server.pem"
  key_file: "`+dir+`/server-key.pem"
  ca_file: "`+dir+`/ca.pem"
  verify: true
}
authorization { users = [ { nkey: "`+pub+`" } ] }
`), 0o600)
	srv, err := StartServer(ServerOptions{Listen: "127.0.0.1:0", Config: conf})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := "tls://" + srv.Addr().String()
	good := Conn{URL: url, TLSCA: dir + "/ca.pem", TLSCert: dir + "/client.pem", TLSKey: dir + "/client-key.pem", NkeySeed: dir + "/user.nk"}
	nc, err := good.Connect()
	if err != nil {
		t.Fatalf("TLS with a client certificate and an nkey: %v", err)
	}
	nc.Close()
	noKey := good
	noKey.NkeySeed = ""
	noCert := good
	noCert.TLSCert, noCert.TLSKey = "", ""
	for name, c := range map[string]Conn{"without the nkey": noKey, "without a client certificate": noCert} {
		if nc, err := c.Connect(); err == nil {
			nc.Close()
			t.Errorf("connected %s", name)
		}
	}
	if _, err := StartServer(ServerOptions{Listen: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "reachable from other machines") {
		t.Fatalf("a server on all interfaces without TLS: %v", err)
	}
}
