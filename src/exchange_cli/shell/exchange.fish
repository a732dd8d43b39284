# exchange's completion for fish: `exchange completion fish`, installed by
# `exchange completion fish --install`. fish adds each answer as a plain word, never
# evaluated: a catalogue's text cannot run here. One call to exchange per Tab.
function __exchange_complete
    set -l tokens (commandline -opc)
    set -l typed (commandline -ct)
    # An unescaped, unquoted brace opens (or closes) a brace expansion. fish would add
    # the rest of a candidate after it, escaped, and leave an unbalanced brace behind
    # (`{a` → `{a,b\}\ brace`): offer nothing; `\{a` completes. Escapes and quoted
    # parts are taken out first (\x5c is a backslash, \x27 and \x22 the quotes).
    if string replace -ra -- '\x5c.|\x27(?:[^\x27\x5c]|\x5c.)*\x27?|\x22(?:[^\x22\x5c]|\x5c.)*\x22?' '' "$typed" | string match -qr '[{}]'
        return
    end
    # The word as fish reads it (`\$ca` and `'$ca` are `$ca`), which is what a value
    # must start with; a word fish cannot read yet (a lone trailing `\`) as typed.
    set -l current (string unescape -- "$typed")
    or set current "$typed"
    set -l lines (env _EXCHANGE_COLUMNS=$COLUMNS _EXCHANGE_COMPLETE=fish $tokens "$current" 2>/dev/null)
    for line in $lines
        if test "$line" = files
            __fish_complete_path "$typed"
            return
        end
        # a candidate is `value<TAB>description`; other lines (`more`) are not values
        string match -q -- '*'\t'*' "$line"; or continue
        printf '%s\n' $line
    end
end
complete -c exchange -f -a '(__exchange_complete)'
