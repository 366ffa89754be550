/**
 * For every AWS client: a stuck request fails (and is retried by the SDK) instead of running the function into its
 * timeout.
 */
export const AWS_REQUEST_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000 };
