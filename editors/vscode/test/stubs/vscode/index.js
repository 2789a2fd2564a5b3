// Stands in for VS Code's `vscode` module in the Node tests (NODE_PATH=test/stubs): only what
// vscode-languageclient needs to load and to start a server through its node transport.
'use strict';

class Disposable {
  constructor(callOnDispose) {
    this._callOnDispose = callOnDispose;
  }
  static from(...disposables) {
    return new Disposable(() => disposables.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._callOnDispose) this._callOnDispose();
  }
}

class EventEmitter {
  constructor() {
    this._listeners = [];
    this.event = (listener) => {
      this._listeners.push(listener);
      return new Disposable(() => (this._listeners = this._listeners.filter((l) => l !== listener)));
    };
  }
  fire(value) {
    this._listeners.slice().forEach((listener) => listener(value));
  }
  dispose() {
    this._listeners = [];
  }
}

const noEvent = () => new Disposable(() => undefined);

// A namespace (workspace, window, ...): its events (onDid...) never fire; anything else not given
// here is undefined.
function namespace(members) {
  return new Proxy(members, {
    get(target, name) {
      if (name in target) return target[name];
      if (typeof name === 'string' && name.startsWith('on')) return noEvent;
      return undefined;
    },
  });
}

const api = {
  version: '1.82.0',
  Disposable,
  EventEmitter,
  workspace: namespace({
    workspaceFolders: undefined,
    textDocuments: [],
    notebookDocuments: [],
    getConfiguration: () => ({ get: () => undefined }),
  }),
  window: namespace({
    createOutputChannel: () => ({ append() {}, appendLine() {}, show() {}, dispose() {} }),
  }),
  languages: namespace({}),
  commands: namespace({}),
  env: { language: 'en' },
};

// vscode-languageclient's modules subclass many of VS Code's classes (CompletionItem, CodeLens,
// ...) and read enums when they load: any other capitalised name is an empty class.
module.exports = new Proxy(api, {
  get(target, name) {
    if (name in target) return target[name];
    if (typeof name === 'string' && /^[A-Z]/.test(name)) {
      target[name] = class {};
      return target[name];
    }
    return undefined;
  },
});
