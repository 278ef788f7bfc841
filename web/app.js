// The review page: sign in, then one field after another, least certain first.
// Keyboard first: the value box always has the focus; see the key list on the page.
'use strict';

const $ = (id) => document.getElementById(id);
let csrf = '';
let item = null;        // the item on screen
let keystrokes = 0;     // keys pressed for it (modifiers alone do not count)
let keyPending = false; // a key is down whose input event may follow (cleared when it comes up)
let ruleFailed = false; // the last try broke a rule: Shift+Enter saves anyway
let busy = false;       // a save, skip or the next item is on its way: keys that save wait for it

async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  return { status: response.status, data };
}

function show(id, visible) { $(id).hidden = !visible; }

async function start() {
  const me = await api('GET', '/api/session');
  if (me.status !== 200) return showSignIn();
  signedIn(me.data);
}

function showSignIn() {
  show('sign-in', true);
  show('review', false);
  show('sign-out', false);
  $('who').textContent = '';
  $('name').focus();
}

function signedIn(session) {
  csrf = session.csrf;
  $('who').textContent = `${session.user} (${session.role})`;
  show('sign-in', false);
  show('sign-out', true);
  show('admin-link', session.role === 'admin');
  if (session.role === 'operator') {
    $('status').textContent = '操作员只能查看进度 · operators see the progress only.';
    show('review', true);
    show('item', false);
    return refreshQueue();
  }
  show('review', true);
  nextItem();
}

async function refreshQueue() {
  const stats = await api('GET', '/api/stats');
  if (stats.status === 200) $('queue').textContent = `待复核 open: ${stats.data.open}`;
}

// Runs a request that changes the item on screen; keys that save are ignored meanwhile,
// so that Enter pressed twice cannot accept the next item unseen.
async function whileBusy(request) {
  busy = true;
  try { return await request(); } finally { busy = false; }
}

async function nextItem() {
  ruleFailed = false;
  $('rule-errors').textContent = '';
  $('item').dataset.ruleFailures = '0';
  const next = await api('POST', '/api/items/next');
  refreshQueue();
  if (next.status === 204) {
    item = null;
    show('item', false);
    show('empty', true);
    return;
  }
  if (next.status !== 200) {
    $('status').textContent = next.data ? next.data.error : `error ${next.status}`;
    return;
  }
  item = next.data;
  keystrokes = 0;
  show('empty', false);
  show('item', true);
  // For people nothing; for tests and tools, which item is on screen.
  Object.assign($('item').dataset, { id: item.id, field: item.field, source: item.source, page: item.page, row: item.row });
  $('item-where').textContent = `${item.source} 第${item.page}页 第${item.row}行`;
  $('item-label').textContent = item.label;
  $('item-confidence').textContent = `(${Math.round(item.confidence * 100)}%)`;
  $('problem').textContent = item.problem;
  $('crop').src = `/api/items/${item.id}/crop`;
  const list = $('alternatives');
  list.replaceChildren();
  item.alternatives.slice(0, 9).forEach((alt, i) => {
    const li = document.createElement('li');
    li.textContent = `Alt+${i + 1}: ${alt.value === '' ? '(空 empty)' : alt.value}`;
    list.appendChild(li);
  });
  $('value').value = item.value;
  $('value').focus();
  $('value').select();
}

async function save(value, force) {
  if (!item) return;
  const result = await api('POST', `/api/items/${item.id}/correct`, { value, keystrokes, force: !!force });
  if (result.status === 200) {
    const d = result.data;
    const status = $('status');
    status.dataset.recordStatus = d.record_status;
    status.className = d.record_status === 'ok' ? 'ok' : '';
    status.textContent = d.record_status === 'ok'
      ? `已保存 · saved: ${item.source} row ${item.row}: record ok`
      : `已保存 · saved: ${item.source} row ${item.row}: ${d.record_open_items} field(s) of the record still open`;
    return nextItem();
  }
  if (result.status === 422) {
    ruleFailed = true;
    $('item').dataset.ruleFailures = String(Number($('item').dataset.ruleFailures || 0) + 1);
    $('rule-errors').textContent = result.data.errors.map((e) => `${e.rule}: ${e.message}`).join('; ') +
      ' — 修改后 Enter, 或 Shift+Enter 仍保存 (fix it, or Shift+Enter to keep it)';
    return;
  }
  const error = result.data ? result.data.error : `error ${result.status}`;
  if (result.status !== 409) { $('rule-errors').textContent = error; return; }
  $('status').textContent = error;  // the claim lapsed: someone else may have it now
  return nextItem();
}

async function skip() {
  if (!item) return;
  await api('POST', `/api/items/${item.id}/skip`);
  $('status').textContent = '已跳过 · skipped';
  return nextItem();
}

function togglePage() {
  const view = $('page-view');
  if (!view.hidden) {
    show('page-view', false);
    show('review', true);
    $('value').focus();
    return;
  }
  if (!item) return;
  const img = $('page-image');
  img.onload = () => {
    const scale = img.clientWidth / img.naturalWidth;
    const [x, y, w, h] = item.box;
    Object.assign($('page-box').style, {
      left: `${x * scale}px`, top: `${y * scale}px`, width: `${w * scale}px`, height: `${h * scale}px`,
    });
    $('page-box').scrollIntoView({ block: 'center' });
  };
  img.src = `/api/pages/${item.page_id}/image`;
  show('review', false);
  show('page-view', true);
}

const modifierKeys = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock']);

document.addEventListener('keydown', (e) => {
  if (!item || $('review').hidden && $('page-view').hidden) return;
  if (!modifierKeys.has(e.key)) { keystrokes += 1; keyPending = true; }
  if (e.key === 'F4' || (e.key === 'Escape' && !$('page-view').hidden)) { e.preventDefault(); return togglePage(); }
  if (!$('page-view').hidden) return;
  const saves = ['Enter', 'Escape', 'F2', 'F3'].includes(e.key) || (e.altKey && /^Digit[1-9]$/.test(e.code));
  if (!saves) return;
  e.preventDefault();
  if (busy) return;
  if (e.key === 'Enter') return whileBusy(() => save($('value').value, e.shiftKey && ruleFailed));
  if (e.key === 'Escape') return whileBusy(skip);
  if (e.key === 'F2') return whileBusy(() => save('√', false));
  if (e.key === 'F3') return whileBusy(() => save('', false));
  const alt = item.alternatives[Number(e.code.slice(5)) - 1];
  if (alt) whileBusy(() => save(alt.value, false));
});

// Characters that arrive without a key (an input method) count one each. A key that
// makes no input (Enter, F2, Alt+1, Control+A) must not leave the next such character
// uncounted: the flag lasts only while the key is down.
$('value').addEventListener('input', (e) => {
  if (!keyPending && e.data) keystrokes += [...e.data].length;
  keyPending = false;
});
document.addEventListener('keyup', () => { keyPending = false; });

$('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  const result = await api('POST', '/api/session', { name: $('name').value, password: $('password').value });
  $('password').value = '';
  if (result.status !== 200) {
    $('sign-in-error').textContent = '用户名或密码错误 · wrong name or password';
    return;
  }
  $('sign-in-error').textContent = '';
  signedIn(result.data);
});

$('correct-form').addEventListener('submit', (e) => e.preventDefault());

$('sign-out').addEventListener('click', async () => {
  await api('POST', '/api/session/end');
  item = null;
  csrf = '';
  showSignIn();
});

start();
