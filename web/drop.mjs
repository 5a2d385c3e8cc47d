// drop.mjs: how the page receives a user's files ("bring your own" models and images): dropped
// anywhere on the page, or chosen through the hidden <input type=file id=drop-input> (files) or
// <input type=file id=drop-folder> (a folder) (the same path; tests drive them with Playwright's
// setInputFiles). Files are read here and handed over as
// [{name, bytes}]; checking them is the worker's job (worker.mjs section 7, userfiles.mjs). A
// dropped folder is read whole: its files' names are their paths ("cifar/cat/1.png").
//
// Index: 1. reading files and folders  2. drag and drop on the page, with the drop zone shown while
//        files are dragged over it  3. the file inputs, and opening them from the interface
async function readFiles(fileList) {
  return Promise.all(
    Array.from(fileList, async (f) => ({
      name: f.webkitRelativePath || f.name, // a chosen folder's files: their path from it
      bytes: new Uint8Array(await f.arrayBuffer()),
    })),
  );
}

// The files below file-system entries (webkitGetAsEntry), named by their path from the drop.
async function readEntries(entries) {
  const out = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ name: entry.fullPath.replace(/^\//, ''), bytes: new Uint8Array(await file.arrayBuffer()) });
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const e of batch) await walk(e);
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

// What a drop holds: its folders read whole when it has any, else its files. The entries must be
// taken while the drop event runs (the browser empties the DataTransfer after it).
function readDrop(dt) {
  const entries = Array.from(dt.items ?? [], (item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() : null));
  if (entries.length && entries.every((e) => e) && entries.some((e) => e.isDirectory)) return readEntries(entries);
  return readFiles(dt.files);
}

// onFiles([{name, bytes}]) is called once per drop or choice.
export function installDrop(onFiles) {
  // 2. Listeners on the document in the capture phase, so the canvas (GLFW's own drop handling)
  // never sees the files, and the browser does not navigate to a dropped file.
  const stop = (e) => {
    e.preventDefault();
    e.stopPropagation();
  };
  // The drop zone (index.html) covers the page while files are over it: dragenter and dragleave
  // come in pairs for every element crossed, so a count says when the files have left the page.
  const zone = document.getElementById('drop-zone');
  let over = 0;
  const show = (on) => zone.classList.toggle('active', on);
  const carriesFiles = (e) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  document.addEventListener(
    'dragenter',
    (e) => {
      if (!carriesFiles(e)) return;
      stop(e);
      over++;
      show(true);
    },
    true,
  );
  document.addEventListener(
    'dragleave',
    (e) => {
      if (!carriesFiles(e)) return;
      stop(e);
      over = Math.max(0, over - 1);
      if (!over) show(false);
    },
    true,
  );
  document.addEventListener(
    'dragover',
    (e) => {
      stop(e);
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    },
    true,
  );
  document.addEventListener(
    'drop',
    (e) => {
      stop(e);
      over = 0;
      show(false);
      if (e.dataTransfer?.files?.length) readDrop(e.dataTransfer).then(onFiles);
    },
    true,
  );
  // 3. The file inputs (hidden; also reachable from the console with their ids).
  for (const id of ['drop-input', 'drop-folder']) {
    const input = document.getElementById(id);
    input.addEventListener('change', () => {
      if (input.files.length)
        readFiles(input.files)
          .then(onFiles)
          .finally(() => {
            input.value = '';
          });
    });
  }
}

// Opens the file chooser for files or a folder (the interface's "open files..." / "open folder..."
// buttons; the browser allows it shortly after the user's click).
export function openChooser(kind) {
  document.getElementById(kind === 'folder' ? 'drop-folder' : 'drop-input').click();
}
