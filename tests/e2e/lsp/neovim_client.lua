-- End-to-end client for `heaplint server`: Debian's neovim 0.7.2, headless, using its built-in LSP
-- client as an editor would. Run by tests/e2e/test_lsp_neovim.py:
--
--   HEAPLINT_BINARY=... HEAPLINT_FILE=.../example.py nvim --headless -u NONE -c "luafile neovim_client.lua"
--
-- Opens the file, checks the MEM101 diagnostic (the raw UTF-16 character the server sent, and the
-- byte column neovim derives from it on a line with non-ASCII text before the finding), applies
-- the quick fix through textDocument/codeAction and sees the diagnostic go, edits the buffer and
-- sees diagnostics follow, hovers a noqa code, and stops the server (exit code 0). Prints PASS.

local binary = assert(os.getenv('HEAPLINT_BINARY'), 'HEAPLINT_BINARY is not set')
local file = assert(os.getenv('HEAPLINT_FILE'), 'HEAPLINT_FILE is not set')
local TIMEOUT = 15000

local function fail(message)
  io.stderr:write('FAIL: ' .. tostring(message) .. '\n')
  io.stderr:flush()
  vim.cmd('cquit 1')
end

local function check(condition, message)
  if not condition then error(message, 2) end
end

local raw = {}  -- the last publishDiagnostics params, as sent
local server_exit_code = nil

local function main()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  local client_id = vim.lsp.start_client({
    name = 'heaplint',
    cmd = { binary, 'server' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    flags = { debounce_text_changes = 10 },
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        raw = result
        return publish(err, result, ctx, config)
      end,
    },
    on_exit = function(code) server_exit_code = code end,
  })
  check(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  check(vim.wait(TIMEOUT, function() return client.initialized end), 'initialize timed out')

  local function wait_diagnostics(predicate, what)
    local ok = vim.wait(TIMEOUT, function() return predicate(vim.diagnostic.get(bufnr)) end, 10)
    check(ok, 'timed out waiting for ' .. what .. ': ' .. vim.inspect(vim.diagnostic.get(bufnr)))
    return vim.diagnostic.get(bufnr)
  end

  -- 1. The diagnostic, at the right place.
  local line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
  local bracket_byte = line:find('[', 1, true) - 1           -- 0-based byte column
  local close_byte = line:find(']', 1, true)                  -- exclusive end, bytes
  local _, bracket_utf16 = vim.str_utfindex(line, bracket_byte)
  local _, close_utf16 = vim.str_utfindex(line, close_byte)
  check(bracket_utf16 < bracket_byte, 'the test line must have multi-byte text before the finding')
  local diagnostics = wait_diagnostics(function(d) return #d == 1 end, 'one diagnostic')
  local d = diagnostics[1]
  check(d.code == 'MEM101', 'code: ' .. tostring(d.code))
  check(d.source == 'heaplint', 'source: ' .. tostring(d.source))
  check(d.severity == vim.diagnostic.severity.WARN, 'severity: ' .. tostring(d.severity))
  check(d.lnum == 1 and d.col == bracket_byte and d.end_col == close_byte,
    string.format('byte range %d:%d-%d, expected 1:%d-%d', d.lnum, d.col, d.end_col, bracket_byte, close_byte))
  local sent = raw.diagnostics[1].range
  check(sent.start.character == bracket_utf16 and sent['end'].character == close_utf16,
    string.format('UTF-16 range %d-%d, expected %d-%d', sent.start.character, sent['end'].character,
      bracket_utf16, close_utf16))
  print(string.format('ok diagnostic at UTF-16 %d-%d (bytes %d-%d)', bracket_utf16, close_utf16, bracket_byte, close_byte))

  -- 2. The quick fix, through textDocument/codeAction.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = sent,
    context = { diagnostics = raw.diagnostics },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, TIMEOUT)
  check(responses and responses[client_id], 'no codeAction response')
  local fix, noqa
  for _, action in ipairs(responses[client_id].result or {}) do
    if action.kind == 'quickfix' and action.title:find('^Disable') then noqa = action
    elseif action.kind == 'quickfix' then fix = action end
  end
  check(noqa and noqa.title == 'Disable MEM101 for this line', 'no noqa action')
  check(fix, 'no quick fix: ' .. vim.inspect(responses[client_id].result))
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  local fixed = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
  check(not fixed:find('[', 1, true), 'the brackets are still there: ' .. fixed)
  wait_diagnostics(function(d) return #d == 0 end, 'the diagnostic to go')
  print('ok quick fix applied: ' .. fixed)

  -- 3. Edits follow: a line on top, then the brackets typed back.
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { '# café' })
  local row = 2
  vim.api.nvim_buf_set_text(bufnr, row, bracket_byte, row, bracket_byte, { '[' })
  vim.api.nvim_buf_set_text(bufnr, row, close_byte - 1, row, close_byte - 1, { ']' })
  check(vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] == line, 'the line was not restored')
  diagnostics = wait_diagnostics(function(d) return #d == 1 and d[1].lnum == row end, 'the diagnostic on line 3')
  check(diagnostics[1].col == bracket_byte, 'column after edits: ' .. diagnostics[1].col)
  print('ok incremental edits: diagnostic moved to line 3')

  -- 4. Disable for this line, then hover the code in the noqa comment.
  vim.lsp.util.apply_workspace_edit((function()
    local r = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
      textDocument = params.textDocument,
      range = { start = { line = row, character = bracket_utf16 }, ['end'] = { line = row, character = bracket_utf16 } },
      context = { diagnostics = {} },
    }, TIMEOUT)[client_id].result
    for _, action in ipairs(r) do
      if action.title == 'Disable MEM101 for this line' then return action.edit end
    end
    error('no noqa action after the edits')
  end)(), client.offset_encoding)
  local with_noqa = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]
  check(with_noqa == line .. '  # noqa: MEM101', 'noqa line: ' .. with_noqa)
  wait_diagnostics(function(d) return #d == 0 end, 'noqa to silence the line')
  local _, code_utf16 = vim.str_utfindex(with_noqa, #with_noqa - 2)
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = params.textDocument, position = { line = row, character = code_utf16 },
  }, TIMEOUT)
  local contents = hover[client_id].result and hover[client_id].result.contents
  check(contents and contents.value:find('list%-comprehension%-in%-reducer'), 'hover: ' .. vim.inspect(hover))
  print('ok hover on the noqa code')

  -- 5. Shutdown and exit.
  client.stop()
  check(vim.wait(TIMEOUT, function() return server_exit_code ~= nil end), 'the server did not exit')
  check(server_exit_code == 0, 'server exit code ' .. tostring(server_exit_code))
  print('PASS')
  io.stdout:flush()
  vim.cmd('qall!')
end

local ok, err = pcall(main)
if not ok then fail(err) end
