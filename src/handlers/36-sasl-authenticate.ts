import { ErrorCode } from '../protocol/error-codes.js';
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../protocol/generated/index.js';
import { principalString } from '../security/principal.js';
import { completeAuthentication } from '../security/sasl/complete.js';
import { SaslAuthenticationError } from '../security/sasl/mechanism.js';
import { defineHandler } from './handler.js';

const EMPTY = Buffer.alloc(0);

/**
 * One step of the SASL exchange SaslHandshake started. On success the session is authenticated and
 * v1+ learns its lifetime (KIP-368); a failure answers SASL_AUTHENTICATION_FAILED with the reason,
 * then the connection closes, as Kafka does.
 */
export default defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const session = ctx.session;
    const exchange = session.exchange;
    if (exchange === undefined || session.rawTokens) {
      // Out of turn on a SASL listener before authentication, the connection goes, as in Kafka;
      // elsewhere (no SASL, or already authenticated) the request is only refused.
      session.closeAfterResponse = session.saslListener && !session.authenticated;
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate without a SaslHandshake v1 before it',
        authBytes: EMPTY,
        sessionLifetimeMs: 0n,
      };
    }
    try {
      const step = await exchange.step(request.authBytes);
      let lifetime = 0;
      if (step.done !== undefined) {
        lifetime = completeAuthentication(session, step.done, ctx.services.security.config.maxReauthMs);
        ctx.log.debug(
          { principal: principalString(session.principal), mechanism: session.mechanism },
          'authenticated',
        );
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        authBytes: step.response,
        sessionLifetimeMs: BigInt(lifetime),
      };
    } catch (err) {
      if (!(err instanceof SaslAuthenticationError)) throw err;
      session.exchange = undefined;
      session.closeAfterResponse = true;
      ctx.log.info({ mechanism: session.mechanism, reason: err.message }, 'SASL authentication failed');
      return {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: err.message,
        authBytes: EMPTY,
        sessionLifetimeMs: 0n,
      };
    }
  },
});
