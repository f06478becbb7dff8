/**
 * Throw-away certificates for TLS tests, made with openssl in a temp directory: a CA, a server
 * certificate for 127.0.0.1/localhost, client certificates signed by the CA and one signed by a
 * second, untrusted CA. Also PKCS#12 and JKS-free PEM files clients read directly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  readonly caCert: string;
  readonly serverKey: string;
  readonly serverCert: string;
  /** A client certificate with subject CN=alice,OU=eng,O=acme (signed by the CA). */
  readonly clientKey: string;
  readonly clientCert: string;
  /** The client certificate and key as PKCS#12 (password "changeit"), for the Java client. */
  readonly clientP12: string;
  /** The CA as a PKCS#12 trust store (password "changeit"), for the Java client. */
  readonly trustP12: string;
  /** A client certificate from another CA, which the gateway must refuse. */
  readonly strangerKey: string;
  readonly strangerCert: string;
}

export const STORE_PASSWORD = 'changeit';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function ca(dir: string, name: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}

function signed(dir: string, name: string, subject: string, caName: string, ext?: string): void {
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    subject,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  const args = [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.crt`,
    '-CAkey',
    `${caName}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
  ];
  if (ext !== undefined) {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  openssl(dir, ...args);
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-tls-'));
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  signed(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  signed(dir, 'client', '/O=acme/OU=eng/CN=alice', 'ca');
  signed(dir, 'stranger', '/CN=mallory', 'other-ca');
  openssl(
    dir,
    'pkcs12',
    '-export',
    '-in',
    'client.crt',
    '-inkey',
    'client.key',
    '-out',
    'client.p12',
    '-passout',
    `pass:${STORE_PASSWORD}`,
    '-name',
    'client',
  );
  // A trust store: keytool would need a JDK call; a PKCS#12 holding the CA works for Java 9+.
  execFileSync(
    'keytool',
    [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      'ca.crt',
      '-keystore',
      'trust.p12',
      '-storetype',
      'PKCS12',
      '-storepass',
      STORE_PASSWORD,
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  const f = (name: string): string => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    serverKey: f('server.key'),
    serverCert: f('server.crt'),
    clientKey: f('client.key'),
    clientCert: f('client.crt'),
    clientP12: f('client.p12'),
    trustP12: f('trust.p12'),
    strangerKey: f('stranger.key'),
    strangerCert: f('stranger.crt'),
  };
}
