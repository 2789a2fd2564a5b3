// The extension's settings (package.json `contributes.configuration`) and what the server is sent
// of them. No `vscode` import here: the unit tests read settings from a plain object.

export interface Settings {
  path: string;
  select: string[];
  ignore: string[];
  unsafeFixes: boolean;
  preview: boolean;
}

// What `vscode.workspace.getConfiguration('heaplint')` offers, and all this module needs.
export interface ConfigurationReader {
  get<T>(section: string): T | undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function readSettings(configuration: ConfigurationReader): Settings {
  const path = configuration.get<string>('path');
  return {
    path: typeof path === 'string' ? path.trim() : '',
    select: stringList(configuration.get('select')),
    ignore: stringList(configuration.get('ignore')),
    unsafeFixes: configuration.get<boolean>('unsafeFixes') === true,
    preview: configuration.get<boolean>('preview') === true,
  };
}

// The server's initializationOptions (docs/editors.md lists them). An empty `select` is left out:
// it would mean "no rules" rather than "what the configuration selects". So is `preview: false`: off,
// the project's own `preview = true` decides.
export function initializationOptions(settings: Settings): Record<string, unknown> {
  const options: Record<string, unknown> = {
    ignore: settings.ignore,
    unsafeFixes: settings.unsafeFixes,
  };
  if (settings.select.length > 0) options.select = settings.select;
  if (settings.preview) options.preview = true;
  return options;
}
