/**
 * Reports every unary SeaweedMQ/filer/master call (its method name, duration, failure) to the
 * gateway's store metrics, as a gRPC client interceptor: no call site changes. Streams (publish,
 * subscribe) live as long as their partition and are not timed.
 */
import * as grpc from '@grpc/grpc-js';
import type { StoreMetrics } from '../../metrics/metrics.js';

export function metricsInterceptor(metrics: StoreMetrics): grpc.Interceptor {
  return (options, next) => {
    const method = options.method_definition;
    if (method.requestStream || method.responseStream) return new grpc.InterceptingCall(next(options));
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    const started = performance.now();
    return new grpc.InterceptingCall(next(options), {
      start(metadata, listener, nextStart) {
        nextStart(metadata, {
          onReceiveStatus(status, nextStatus) {
            metrics.call(name, (performance.now() - started) / 1000, status.code !== grpc.status.OK);
            nextStatus(status);
          },
        });
      },
    });
  };
}
