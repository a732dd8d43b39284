# exchange's completion for fish: `exchange completion fish`, installed by
# `exchange completion fish --install`. fish adds each answer as a plain word, never
# evaluated: a catalogue's text cannot run here. One call to exchange per Tab.
function __exchange_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l lines (env _EXCHANGE_COMPLETE=fish $tokens "$current" 2>/dev/null)
    for line in $lines
        if test "$line" = files
            __fish_complete_path $current
            return
        end
        printf '%s\n' $line
    end
end
complete -c exchange -f -a '(__exchange_complete)'
