/** The security flags (docs/security.md): listeners, TLS, SASL, OAUTHBEARER and ACLs. */
import { InvalidArgumentError, type Command } from 'commander';
import { boolean, integer, list, option } from '../cli-values.js';
import { DEFAULT_SECURITY, type ClientAuth, type SecurityConfig } from './config.js';
import { parseListeners } from './listeners.js';

export function addSecurityOptions(command: Command): Command {
  const d = DEFAULT_SECURITY;
  return command
    .addOption(
      option(
        '--listeners <list>',
        "listeners NAME://host:port[,…] (Kafka's listeners); replaces --host/--port",
        'LISTENERS',
      ),
    )
    .addOption(
      option(
        '--advertised-listeners <list>',
        'address each listener gives clients, NAME://host:port[,…]',
        'ADVERTISED_LISTENERS',
      ),
    )
    .addOption(
      option(
        '--listener-security-protocol-map <map>',
        'NAME:PROTOCOL[,…] for listeners not named after a protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)',
        'LISTENER_SECURITY_PROTOCOL_MAP',
      ),
    )
    .addOption(option('--ssl-key <file>', 'PEM private key of the TLS listeners', 'SSL_KEY'))
    .addOption(option('--ssl-cert <file>', 'PEM certificate (chain) of the TLS listeners', 'SSL_CERT'))
    .addOption(option('--ssl-ca <file>', 'PEM CA certificates trusted for client certificates', 'SSL_CA'))
    .addOption(
      option('--ssl-key-password <password>', 'passphrase of an encrypted --ssl-key', 'SSL_KEY_PASSWORD'),
    )
    .addOption(
      option(
        '--ssl-client-auth <mode>',
        'client certificates: none, requested or required',
        'SSL_CLIENT_AUTH',
      )
        .choices(['none', 'requested', 'required'])
        .default(d.tls.clientAuth),
    )
    .addOption(
      option('--sasl-enabled-mechanisms <list>', 'SASL mechanisms offered', 'SASL_ENABLED_MECHANISMS')
        .default([...d.saslMechanisms], d.saslMechanisms.join(','))
        .argParser(list),
    )
    .addOption(
      option(
        '--sasl-plain-users-file <file>',
        'YAML file of user: password for SASL/PLAIN',
        'SASL_PLAIN_USERS_FILE',
      ),
    )
    .addOption(
      option(
        '--oauthbearer-jwks <url|file>',
        'JWKS (URL or file) validating OAUTHBEARER tokens',
        'OAUTHBEARER_JWKS',
      ),
    )
    .addOption(
      option(
        '--oauthbearer-expected-issuer <iss>',
        'required iss claim of OAUTHBEARER tokens',
        'OAUTHBEARER_EXPECTED_ISSUER',
      ),
    )
    .addOption(
      option(
        '--oauthbearer-expected-audience <list>',
        'accepted aud claims of OAUTHBEARER tokens',
        'OAUTHBEARER_EXPECTED_AUDIENCE',
      ).argParser(list),
    )
    .addOption(
      option(
        '--oauthbearer-allow-unsecured <bool>',
        'accept unsigned (alg none) OAUTHBEARER tokens: development only',
        'OAUTHBEARER_ALLOW_UNSECURED',
      )
        .default(d.oauthbearer.allowUnsecured)
        .argParser(boolean),
    )
    .addOption(
      option(
        '--oauthbearer-sub-claim-name <name>',
        'claim naming the principal',
        'OAUTHBEARER_SUB_CLAIM_NAME',
      ).default(d.oauthbearer.subClaimName),
    )
    .addOption(
      option(
        '--connections-max-reauth-ms <ms>',
        'SASL sessions end after this long unless the client re-authenticates (0: never)',
        'CONNECTIONS_MAX_REAUTH_MS',
      )
        .default(d.maxReauthMs)
        .argParser(integer(0, 2 ** 53)),
    )
    .addOption(
      option('--authorizer <kind>', 'none, or acl to enforce ACLs on every request', 'AUTHORIZER')
        .choices(['none', 'acl'])
        .default(d.authorizer),
    )
    .addOption(
      option('--super-users <list>', 'principals allowed everything, User:a;User:b', 'SUPER_USERS').argParser(
        (v) =>
          v
            .split(';')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
      ),
    )
    .addOption(
      option(
        '--allow-everyone-if-no-acl-found <bool>',
        'allow access to resources no ACL names',
        'ALLOW_EVERYONE_IF_NO_ACL_FOUND',
      )
        .default(d.allowEveryoneIfNoAclFound)
        .argParser(boolean),
    )
    .addOption(
      option(
        '--acl-refresh-ms <ms>',
        'how often ACLs and client quotas changed through other gateways are read',
        'ACL_REFRESH_MS',
      )
        .default(d.aclRefreshMs)
        .argParser(integer(100, 3_600_000)),
    );
}

export function securityFromOptions(opts: Record<string, unknown>): SecurityConfig {
  let listeners: SecurityConfig['listeners'] = [];
  const spec = opts.listeners as string | undefined;
  if (spec !== undefined) {
    try {
      listeners = parseListeners(
        spec,
        opts.advertisedListeners as string | undefined,
        opts.listenerSecurityProtocolMap as string | undefined,
      );
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  } else if (opts.advertisedListeners !== undefined) {
    throw new InvalidArgumentError('--advertised-listeners needs --listeners');
  }
  return {
    listeners,
    tls: {
      keyFile: opts.sslKey as string | undefined,
      certFile: opts.sslCert as string | undefined,
      caFile: opts.sslCa as string | undefined,
      keyPassword: opts.sslKeyPassword as string | undefined,
      clientAuth: opts.sslClientAuth as ClientAuth,
    },
    saslMechanisms: opts.saslEnabledMechanisms as string[],
    plainUsersFile: opts.saslPlainUsersFile as string | undefined,
    oauthbearer: {
      ...DEFAULT_SECURITY.oauthbearer,
      jwks: opts.oauthbearerJwks as string | undefined,
      expectedIssuer: opts.oauthbearerExpectedIssuer as string | undefined,
      expectedAudience: (opts.oauthbearerExpectedAudience as string[] | undefined) ?? [],
      allowUnsecured: opts.oauthbearerAllowUnsecured as boolean,
      subClaimName: opts.oauthbearerSubClaimName as string,
    },
    maxReauthMs: opts.connectionsMaxReauthMs as number,
    authorizer: opts.authorizer as SecurityConfig['authorizer'],
    superUsers: (opts.superUsers as string[] | undefined) ?? [],
    allowEveryoneIfNoAclFound: opts.allowEveryoneIfNoAclFound as boolean,
    aclRefreshMs: opts.aclRefreshMs as number,
  };
}
