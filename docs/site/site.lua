-- docs/site/site.lua: the pandoc Lua filter of the docs site (gw.d/docs.sh runs pandoc with it).
--
-- Metadata it reads (gw.d/docs.sh sets them):
--   source   the page's Markdown file, relative to the repository root (docs/guides/uploads.md)
--   output   the page's HTML file, relative to the site root (guides/uploads.html)
--   pages    every page of the site: Markdown file -> HTML file (same forms as above)
--   nav      the navigation: groups of {heading, items = [{href, title}]}, hrefs site-relative
-- What it does:
--   * links and images between files are rewritten for the site: a link to a Markdown page
--     points at its HTML page (the #anchor kept; pandoc's gfm identifiers are GitHub's, so an
--     anchor that works on GitHub works here), a link to another file under docs/ (examples,
--     openapi.yaml) at the copy the site carries. A link to a repository file the site does not
--     publish (source code, nginx templates) becomes its repository path in code font: a reader
--     of the site cannot follow it, a reader of a checkout can. A link to a file that does not
--     exist is left pointing nowhere, with a warning, so that the link check fails on it.
--   * root (the way back to the site root, "" or "../"), pagetitle (the first level-1 heading),
--     and the navigation entry of the page itself marked current.
--   * table column alignments and widths become classes (align-left, ...): pandoc writes them as
--     inline style attributes, which the site's Content-Security-Policy (no 'unsafe-inline' for
--     styles) would refuse.

local stringify = pandoc.utils.stringify

local source, output, pages = '', '', {}

local function dirname(path)
  return path:match('^(.*)/[^/]*$') or ''
end

local function split(path)
  local parts = {}
  for part in path:gmatch('[^/]+') do parts[#parts + 1] = part end
  return parts
end

-- join a directory and a relative path, resolving "." and ".."; nil when it leaves the root
local function resolve(dir, rel)
  local parts = split(dir)
  for _, part in ipairs(split(rel)) do
    if part == '..' then
      if #parts == 0 then return nil end
      parts[#parts] = nil
    elseif part ~= '.' then
      parts[#parts + 1] = part
    end
  end
  local joined = table.concat(parts, '/')
  if rel:sub(-1) == '/' and joined ~= '' then joined = joined .. '/' end
  return joined
end

-- the relative path from the directory `from_dir` to `to` (both relative to the site root)
local function relative(from_dir, to)
  local from, target = split(from_dir), split(to)
  local common = 0
  while common < #from and common < #target - 1 and from[common + 1] == target[common + 1] do
    common = common + 1
  end
  local out = {}
  for _ = common + 1, #from do out[#out + 1] = '..' end
  for i = common + 1, #target do out[#out + 1] = target[i] end
  local rel = table.concat(out, '/')
  if to:sub(-1) == '/' then rel = rel .. '/' end
  return rel
end

-- a file or a directory (io.open opens a directory for reading on Linux; reading it then fails)
local function exists(path)
  local f = io.open(path, 'r')
  if not f then return false end
  f:close()
  return true
end

local function warn(message)
  io.stderr:write('docs site: ' .. source .. ': ' .. message .. '\n')
end

-- what a link target in the page becomes: a string, or false for "not a link on the site"
local function site_target(target)
  if target == '' or target:match('^#') or target:match('^/') or target:match('^%a[%w+.-]*:') then
    return target   -- same-page anchor, server path, external or mailto: unchanged
  end
  local path, fragment = target:match('^([^#?]*)(.*)$')
  local repo_path = resolve(dirname(source), path)
  if repo_path == nil then
    warn('link leaves the repository: ' .. target)
    return target
  end
  local page = pages[repo_path]
  if page then
    return relative(dirname(output), page) .. fragment
  end
  local published = repo_path:match('^docs/(.*)$')
  if published and not repo_path:match('^docs/site/') and not repo_path:match('node_modules')
      and exists(repo_path) then
    return relative(dirname(output), published) .. fragment
  end
  if exists(repo_path) then
    return false
  end
  warn('link to a file that does not exist: ' .. target)
  return (path:gsub('%.md$', '.html')) .. fragment
end

local function read_meta(meta)
  source = stringify(meta.source or '')
  output = stringify(meta.output or '')
  if source == '' or output == '' then
    error('docs/site/site.lua needs the metadata "source" and "output"')
  end
  for from, to in pairs(meta.pages or {}) do pages[from] = stringify(to) end
  local depth = #split(dirname(output))
  meta.root = string.rep('../', depth)
  meta.source = source
  for _, group in ipairs(meta.nav or {}) do
    for _, item in ipairs(group.items or {}) do
      if stringify(item.href) == output then item.current = true end
    end
  end
  return meta
end

local function page_title(doc)
  if doc.meta.title or doc.meta.pagetitle then return end
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Header' and block.level == 1 then
      doc.meta.pagetitle = stringify(block.content)
      return
    end
  end
  doc.meta.pagetitle = source
end

local align_class = { AlignLeft = 'align-left', AlignRight = 'align-right', AlignCenter = 'align-center' }

local function tag_rows(rows, classes)
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row.cells) do
      if classes[i] then cell.attr.classes:insert(classes[i]) end
      cell.alignment = pandoc.AlignDefault
    end
  end
end

local function table_without_styles(tbl)
  local classes = {}
  for i, spec in ipairs(tbl.colspecs) do
    classes[i] = align_class[spec[1]]
    tbl.colspecs[i] = { pandoc.AlignDefault, pandoc.ColWidthDefault }
  end
  tag_rows(tbl.head.rows, classes)
  for _, body in ipairs(tbl.bodies) do
    tag_rows(body.head, classes)
    tag_rows(body.body, classes)
  end
  tag_rows(tbl.foot.rows, classes)
  return tbl
end

return {
  { Meta = read_meta },
  {
    Link = function(link)
      local target = site_target(link.target)
      if target then
        link.target = target
        return link
      end
      -- a repository file the site does not carry: its path in code font
      local path = resolve(dirname(source), link.target:match('^([^#?]*)'))
      local text = stringify(link.content)
      if text == path or text == path:match('[^/]+$') then
        return pandoc.Code(path)
      end
      local inlines = link.content
      inlines:extend({ pandoc.Space(), pandoc.Str('('), pandoc.Code(path), pandoc.Str(')') })
      return inlines
    end,
    Image = function(image)
      image.src = site_target(image.src) or image.src
      return image
    end,
    Table = table_without_styles,
  },
  { Pandoc = function(doc) page_title(doc); return doc end },
}
