import { HarkError, isHarkError } from '../errors';
import { ProfileStore } from './profile-store';

/**
 * The model folder that transcribes with profile `name`: its kept fine-tuned model. For the
 * transcribe CLI's `--profile NAME` (root: `defaultProfilesRoot()` unless given). Errors:
 * PROFILE_NOT_FOUND (naming the profiles there are), MODEL_NOT_FOUND when the profile has no kept
 * model yet.
 *
 * @example
 * const modelDir = await resolveProfileModel('Ada'); // ~/.config/Hark/profiles/Ada/model on Linux
 * const engine = await Engine.create({ modelDir });
 */
export async function resolveProfileModel(name: string, root?: string): Promise<string> {
  // Read-only: a crash recovery here could undo the running app's work in the same folder.
  const store = await ProfileStore.open({
    recover: false,
    ...(root === undefined ? {} : { root }),
  });
  const profile = await store.get(name).catch(async (error: unknown) => {
    if (!isHarkError(error) || error.code !== 'PROFILE_NOT_FOUND') throw error;
    // Say which names would do.
    const names = (await store.list().catch(() => [])).map((p) => `"${p.name}"`);
    throw new HarkError(
      'PROFILE_NOT_FOUND',
      names.length > 0
        ? `there is no profile named "${name}"; the profiles here: ${names.join(', ')}`
        : `there is no profile named "${name}", nor any other yet: npm run finetune -- --profile NAME --create --data MANIFEST makes one`,
      error.file === undefined ? {} : { file: error.file },
    );
  });
  if (profile.modelDir === null) {
    const hint =
      profile.status === 'review'
        ? 'a finished training run waits to be kept'
        : `train it first: npm run finetune -- --profile "${profile.name}"`;
    throw new HarkError(
      'MODEL_NOT_FOUND',
      `profile "${profile.name}" has no trained model yet; ${hint}`,
      {
        file: profile.folder,
      },
    );
  }
  return profile.modelDir;
}
