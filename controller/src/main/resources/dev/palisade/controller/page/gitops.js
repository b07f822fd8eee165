// Palisade review page: decisions that contradict an ApprovedGraph object (the approved graph in
// git). The controller refuses them (409) and answers with the object's YAML with the decision in
// it; this shows that patch with a copy button, so the reviewer commits it where the edge is owned
// instead of fighting the GitOps sync. Text only (textContent): names and YAML are data.
'use strict';

/** Shows the change to commit for each ApprovedGraph in managedBy ([{approvedGraph, edges, patch}]). */
function showGitPatch(managedBy) {
  const dialog = document.getElementById('git-dialog');
  const body = document.getElementById('git-dialog-body');
  body.replaceChildren();
  for (const m of managedBy) {
    const section = document.createElement('section');
    section.className = 'git-conflict';
    const say = document.createElement('p');
    say.className = 'git-says';
    say.textContent = 'this edge is managed in git by ApprovedGraph ' + m.approvedGraph + ': commit this change there';
    const edges = document.createElement('p');
    edges.className = 'hint';
    edges.textContent = (m.edges || []).join(', ');
    const pre = document.createElement('pre');
    pre.className = 'git-patch';
    pre.textContent = m.patch;
    const copy = document.createElement('button');
    copy.className = 'git-copy';
    copy.textContent = 'Copy YAML';
    const done = document.createElement('span');
    done.className = 'git-copied hint';
    copy.addEventListener('click', () => copyText(m.patch, pre).then(
      () => { done.textContent = ' copied'; }, (err) => { done.textContent = ' select and copy by hand: ' + err.message; }));
    section.append(say, edges, pre, copy, done);
    body.append(section);
  }
  if (!dialog.open) dialog.showModal();
}

/** The clipboard API needs a secure context (https or localhost); else the old copy of a selection. */
function copyText(text, pre) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  return new Promise((resolve, reject) => {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand('copy') ? resolve() : reject(new Error('the browser refused to copy'));
  });
}

window.addEventListener('DOMContentLoaded', () => {
  document.getElementById('git-dialog-close').addEventListener('click', () => document.getElementById('git-dialog').close());
});
