import { ErrorCode } from '../protocol/error-codes.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/generated/index.js';
import { defineHandler } from './handler.js';

/**
 * Starts a SASL exchange with the mechanism the client names (docs/security.md). On a listener
 * without SASL, Kafka answers ILLEGAL_SASL_STATE and no mechanisms. v0 means the tokens that follow
 * are raw frames rather than SaslAuthenticate requests. On an authenticated session it starts a
 * re-authentication (KIP-368), which must keep the mechanism.
 */
export default defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const session = ctx.session;
    const security = ctx.services.security;
    if (!session.saslListener || session.exchange !== undefined) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    }
    const enabled = security.enabledMechanisms;
    const mechanism = security.mechanism(request.mechanism);
    const reauthenticating = session.authenticated;
    if (mechanism === undefined || (reauthenticating && mechanism.name !== session.mechanism)) {
      ctx.log.info({ mechanism: request.mechanism, enabled }, 'SASL mechanism refused');
      if (reauthenticating) session.closeAfterResponse = true;
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled };
    }
    session.exchange = mechanism.start();
    session.mechanism = mechanism.name;
    session.reauthenticating = reauthenticating;
    session.rawTokens = ctx.apiVersion === 0;
    return { errorCode: ErrorCode.NONE, mechanisms: enabled };
  },
});
