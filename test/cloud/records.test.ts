import { describe, expect, test } from 'vitest';
import { CloudRecords, RECORD_LIMIT, type RequestRecord } from '../../src/cloud/records.js';

describe('cloud records', () => {
  test(`each list keeps the latest ${RECORD_LIMIT} entries`, () => {
    const records = new CloudRecords();
    for (let index = 0; index < RECORD_LIMIT + 5; index += 1) {
      const record: RequestRecord = { method: 'GET', path: `/${index}`, status: 200, origin: undefined, at: index };
      records.addRequest(record);
    }
    expect(records.requests).toHaveLength(RECORD_LIMIT);
    expect(records.requests[0]?.path).toBe('/5');
  });

  test('live sessions follow registrations and disconnects; clear() keeps them', () => {
    const records = new CloudRecords();
    records.addRegistration({ socketId: 's1', mode: 'jwt', channelId: 'a', apiKey: 'k', jti: 'j', apiCCSessionId: 'x', origin: undefined, at: 1 });
    records.addRegistration({ socketId: 's2', mode: 'apiKey', channelId: 'b', apiKey: 'k', jti: undefined, apiCCSessionId: undefined, origin: undefined, at: 2 });
    records.addDisconnect({ socketId: 's2', mode: 'apiKey', channelId: 'b', apiKey: 'k', jti: undefined, reason: 'transport close', cause: 'client', at: 3 });
    records.clear();
    expect(records.registrations).toEqual([]);
    expect(records.disconnects).toEqual([]);
    expect([...records.live.values()]).toEqual([{ socketId: 's1', mode: 'jwt', channelId: 'a', apiKey: 'k', jti: 'j', apiCCSessionId: 'x', connectedAt: 1 }]);
  });
});
