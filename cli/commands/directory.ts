import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { audienceOf } from '../../domain/audience';
import { parseCatalog } from '../../domain/catalog';
import { generateDirectory } from '../../domain/directory-generator';
import { InputError } from '../../domain/errors';
import { DEFAULT_CATALOG } from '../../db/catalog-path';
import { api } from '../context';

function readFile(file: string, flag: string): string {
  if (!fs.existsSync(file)) throw new InputError(`${flag} ${file}: no such file`);
  return fs.readFileSync(file, 'utf8');
}

export function registerDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('the participant directory: firms, users, functions');
  directory
    .command('import')
    .description('import participants and users from CSV, all or nothing')
    .requiredOption('--participants <file>', 'code,name_en,name_zh,user_types,emails,language[,sftp_folders]')
    .requiredOption(
      '--users <file>',
      'participant_code,email,role,functions,sftp_key_registered,ip_registered',
    )
    .option('--as <operator>', 'assert who you are signed in as')
    .action(async (opts: { participants: string; users: string; as?: string }) => {
      const body = {
        participants: readFile(opts.participants, '--participants'),
        users: readFile(opts.users, '--users'),
      };
      const result = await api(opts).call('POST /api/directory/import', { body });
      console.log(`imported ${result.participants} participant(s) and ${result.users} user(s)`);
    });
  directory
    .command('generate')
    .description(
      'write a realistic synthetic directory (the same for the same seed), for the folders of a catalog',
    )
    .requiredOption('--participants <n>', 'how many firms')
    .option('--seed <s>', 'random seed', '1')
    .option('--catalog <file>', 'folder catalog CSV', DEFAULT_CATALOG)
    .requiredOption('--out <dir>', 'where to write participants.csv and users.csv')
    .action(async (opts: { participants: string; seed: string; catalog: string; out: string }) => {
      const n = Number(opts.participants);
      if (!Number.isInteger(n) || n < 1 || n > 90_000)
        throw new InputError('--participants must be a whole number from 1 to 90000');
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new InputError('--seed must be a whole number');
      const { folders } = parseCatalog(readFile(opts.catalog, '--catalog'));
      const audience = audienceOf(
        folders
          .filter((f) => f.placement === 'legacy')
          .map((f) => ({ code: f.code, userTypes: f.userTypes, ccFunction: f.ccFunction, sftp: f.sftp })),
      );
      const d = generateDirectory(n, seed, audience.functionsByUserType, audience.sftpFolderByUserType);
      fs.mkdirSync(opts.out, { recursive: true });
      fs.writeFileSync(path.join(opts.out, 'participants.csv'), d.participantsCsv);
      fs.writeFileSync(path.join(opts.out, 'users.csv'), d.usersCsv);
      console.log(
        `wrote ${d.stats.participants} participants and ${d.stats.users} users to ${opts.out} (${d.stats.notReadyFirms} firms missing a function, ${d.stats.sftpFirms} using SFTP)`,
      );
    });
}
