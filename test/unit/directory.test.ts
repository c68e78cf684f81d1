import { describe, expect, it } from 'vitest';
import { parseDirectory } from '../../domain/directory';

const participants = (rows: string[]) =>
  ['code,name_en,name_zh,user_types,emails,language', ...rows].join('\n') + '\n';
const users = (rows: string[]) =>
  ['participant_code,email,role,functions,sftp_key_registered,ip_registered', ...rows].join('\n') + '\n';
const firms = participants([
  '01234,Clearing Ltd,結算,HKSCC_GCP;SEHK_EP,ecp@gcp.hk,both',
  '05678,Client Ltd,客戶,NCP,ecp@ncp.hk,en',
  '01235,Sister Ltd,姊妹,SEHK_EP,ecp@sister.hk,en',
]);

describe('the directory files (FAQ B.11, B.13)', () => {
  it("FAQ B.13: a GCP's user is not also a user of an NCP client; the refusal says what the FAQ advises", () => {
    const { problems } = parseDirectory(
      firms,
      users(['01234,ops@gcp.hk,operator,EU_ECPHKSCC,false,false', '05678,ops@gcp.hk,admin,,false,false']),
      new Set(),
    );
    expect(problems).toEqual([
      "users line 3, email: ops@gcp.hk is a user of General Clearing Participant 01234 and cannot also be one of its Non-Clearing Participant client 05678: Client Connect registers the address under 01234; give the NCP client a different address (a group mailbox or a colleague's) and let its administrator create the account (FAQ B.13)",
    ]);
  });

  it('the same address for another firm that is no NCP (a subsidiary, FAQ B.14), or a different address for the NCP, is fine', () => {
    expect(
      parseDirectory(
        firms,
        users([
          '01234,ops@gcp.hk,operator,EU_ECPHKSCC,false,false',
          '01235,ops@gcp.hk,operator,EU_ECPCASH,false,false',
        ]),
        new Set(),
      ).problems,
    ).toEqual([]);
    expect(
      parseDirectory(
        firms,
        users([
          '01234,ops@gcp.hk,operator,EU_ECPHKSCC,false,false',
          '05678,ncp-desk@gcp.hk,admin,,false,false',
        ]),
        new Set(),
      ).problems,
    ).toEqual([]);
  });
});
