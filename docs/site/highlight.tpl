/* pandoc's syntax highlighting colours (highlight.css), written by gw.d/docs.sh from docs/site/highlight.tpl */
$highlighting-css$
