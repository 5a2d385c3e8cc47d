// drop.mjs: how the page receives a user's files ("bring your own" models and images): dropped
// anywhere on the page, or chosen through the hidden <input type=file id=drop-input> (the same
// path; tests drive it with Playwright's setInputFiles). Files are read here and handed over as
// [{name, bytes}]; checking them is the worker's job (worker.mjs section 7, userfiles.mjs).
//
// Index: 1. reading files  2. drag and drop on the page  3. the file input
async function readFiles(fileList) {
  return Promise.all(
    Array.from(fileList, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
  );
}

// onFiles([{name, bytes}]) is called once per drop or choice.
export function installDrop(onFiles) {
  // 2. Listeners on the document in the capture phase, so the canvas (GLFW's own drop handling)
  // never sees the files, and the browser does not navigate to a dropped file.
  const stop = (e) => {
    e.preventDefault();
    e.stopPropagation();
  };
  document.addEventListener(
    'dragover',
    (e) => {
      stop(e);
      e.dataTransfer.dropEffect = 'copy';
    },
    true,
  );
  document.addEventListener(
    'drop',
    (e) => {
      stop(e);
      if (e.dataTransfer?.files?.length) readFiles(e.dataTransfer.files).then(onFiles);
    },
    true,
  );
  // 3. The file input (hidden; also reachable from the console with its id).
  const input = document.getElementById('drop-input');
  input.addEventListener('change', () => {
    if (input.files.length)
      readFiles(input.files)
        .then(onFiles)
        .finally(() => {
          input.value = '';
        });
  });
}
