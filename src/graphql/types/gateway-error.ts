import { ERROR_CODES, GatewayError } from '../../core/errors.ts';
import { builder } from '../builder.ts';


export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'A typed failure: every error result carries a machine-readable code and a message.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

/** Every core error is exposed as this one type; `code` tells them apart. */
builder.objectType(GatewayError, {
  name: 'GatewayError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof GatewayError,
  fields: (t) => ({
    upstreamProvider: t.exposeString('provider', { nullable: true, description: 'The provider the error came from, when it came from one.' }),
    upstreamStatus: t.exposeInt('upstreamStatus', { nullable: true }),
    retryAfterMs: t.exposeInt('retryAfterMs', { nullable: true, description: 'How long to wait before retrying, when known.' }),
  }),
});
