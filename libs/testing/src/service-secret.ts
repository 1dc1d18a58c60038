/** SERVICE_TOKEN_SECRET every test platform gives both services, so they authenticate each other. */
export const TEST_SERVICE_TOKEN_SECRET = 'service-token-secret-for-tests-of-32-chars';
