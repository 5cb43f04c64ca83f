import 'reflect-metadata';
import nock from 'nock';
import { afterEach } from 'vitest';

// Tests talk only to the loopback interface: anything else is a bug, not a flaky network.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);

afterEach(() => {
  nock.cleanAll();
});
