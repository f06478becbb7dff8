/**
 * Sent in authorized-operations fields when the client did not ask for them. When it did, the value
 * comes from the authorizer (src/security/authorize.ts): every operation that applies to the resource
 * type when no authorizer is configured.
 */
export const NO_AUTHORIZED_OPERATIONS = -2147483648;
