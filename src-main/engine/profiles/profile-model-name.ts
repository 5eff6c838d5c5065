/**
 * How a profile's model is named on its card ("profile:Ada"), so every transcript made with it
 * records the profile. Runtime-free: the CLI and the host read names without loading training.
 */
const PREFIX = 'profile:';

/** The model card's name of a profile's model. */
export function profileModelName(profileName: string): string {
  return `${PREFIX}${profileName}`;
}

/**
 * The profile whose model card name this is (profileModelName's inverse), else undefined.
 *
 * @example
 * profileOfModelName('profile:Ada'); // 'Ada'
 * profileOfModelName('base-en'); // undefined
 */
export function profileOfModelName(modelName: string): string | undefined {
  return modelName.startsWith(PREFIX) ? modelName.slice(PREFIX.length) : undefined;
}
