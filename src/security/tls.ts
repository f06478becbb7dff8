/**
 * TLS for the SSL and SASL_SSL listeners, through node:tls: the server's key and certificate, and,
 * for client certificates (Kafka's ssl.client.auth), the CAs that sign them. The files are read
 * again on SIGHUP so certificates can be rotated without dropping connections.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { TlsConfig } from './config.js';

export function secureContextOptions(config: TlsConfig): SecureContextOptions {
  if (config.keyFile === undefined || config.certFile === undefined) {
    throw new Error('an SSL or SASL_SSL listener needs --ssl-key and --ssl-cert');
  }
  if (config.clientAuth !== 'none' && config.caFile === undefined) {
    throw new Error(`--ssl-client-auth ${config.clientAuth} needs --ssl-ca (the CAs of client certificates)`);
  }
  return {
    key: readFileSync(config.keyFile),
    cert: readFileSync(config.certFile),
    ...(config.caFile === undefined ? {} : { ca: readFileSync(config.caFile) }),
    ...(config.keyPassword === undefined ? {} : { passphrase: config.keyPassword }),
    minVersion: 'TLSv1.2',
  };
}

/**
 * Server options. A requested client certificate is checked after the handshake (an untrusted one
 * then closes the connection, as Kafka's SSL engine refuses it), so a client without one still gets in.
 */
export function tlsServerOptions(config: TlsConfig): TlsOptions {
  return {
    ...secureContextOptions(config),
    requestCert: config.clientAuth !== 'none',
    rejectUnauthorized: config.clientAuth === 'required',
  };
}
