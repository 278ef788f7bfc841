// The admin page: users and their roles. The server serves it to admins only.
'use strict';

const $ = (id) => document.getElementById(id);
let csrf = '';

async function api(method, path, body) {
  const headers = { 'X-CSRF-Token': csrf };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, data: text ? JSON.parse(text) : null };
}

async function load() {
  const me = await api('GET', '/api/session');
  if (me.status !== 200) { location.href = '/'; return; }
  csrf = me.data.csrf;
  const users = await api('GET', '/api/users');
  const body = $('users');
  body.replaceChildren();
  for (const u of users.data) {
    const tr = document.createElement('tr');
    const remove = document.createElement('button');
    remove.textContent = '删除 remove';
    remove.disabled = u.name === me.data.user;
    remove.addEventListener('click', async () => {
      const r = await api('POST', `/api/users/${encodeURIComponent(u.name)}/delete`);
      $('admin-status').textContent = r.status === 200 ? `${u.name} removed` : r.data.error;
      load();
    });
    for (const text of [u.name, u.role]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    const td = document.createElement('td');
    td.appendChild(remove);
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

$('add-user').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await api('POST', '/api/users', { name: $('new-name').value, password: $('new-password').value, role: $('new-role').value });
  $('new-password').value = '';
  $('admin-status').textContent = r.status === 200 ? `${$('new-name').value} saved` : r.data.error;
  load();
});

load();
