import { describe, expect, test } from 'vitest';
import { CloudRecords, RECORD_LIMIT, type RequestRecord } from '../../src/cloud/records.js';

describe('cloud records', () => {
  test(`each list keeps the latest ${RECORD_LIMIT} entries`, () => {
    const records = new CloudRecords();
    for (let index = 0; index < RECORD_LIMIT + 5; index += 1) {
      const record: RequestRecord = { method: 'GET', path: `/${index}`, status: 200, origin: undefined, bearer: 'none', at: index };
      records.addRequest(record);
    }
    expect(records.requests).toHaveLength(RECORD_LIMIT);
    expect(records.requests[0]?.path).toBe('/5');
  });

  test('clear() empties every list', () => {
    const records = new CloudRecords();
    records.addRegistration({ socketId: 's1', mode: 'jwt', channelId: 'a', apiKey: 'k', jti: 'j', apiCCSessionId: 'x', origin: undefined, at: 1 });
    records.addDisconnect({ socketId: 's1', mode: 'jwt', channelId: 'a', apiKey: 'k', jti: 'j', reason: 'transport close', cause: 'client', at: 3 });
    records.clear();
    expect([records.registrations, records.disconnects, records.refusals, records.requests]).toEqual([[], [], [], []]);
  });
});
