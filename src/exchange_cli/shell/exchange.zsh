# exchange's completion for zsh: `exchange completion zsh`, installed by
# `exchange completion zsh --install`. The answers are added with compadd as plain words
# and display strings, never evaluated: a catalogue's text cannot run here.
_exchange() {
    local -a lines values shown
    local line value description more
    lines=("${(@f)$(_EXCHANGE_COLUMNS=$COLUMNS _EXCHANGE_COMPLETE=zsh "${(Q)words[1]}" "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
    for line in "${lines[@]}"; do
        if [[ $line == files ]]; then
            _files
            return
        fi
        if [[ $line == more ]]; then
            more='(more match: type more to narrow the list)'
            continue
        fi
        [[ $line == *$'\t'* ]] || continue
        value=${line%%$'\t'*}
        description=${line#*$'\t'}
        [[ -n $value ]] || continue
        values+=("$value")
        if [[ -n $description ]]; then
            shown+=("$value -- $description")
        else
            shown+=("$value")
        fi
    done
    if (( ${#values} )); then
        if [[ -n $more ]]; then
            compadd -x "$more" -M 'm:{a-zA-Z}={A-Za-z}' -l -d shown -a values
        else
            compadd -M 'm:{a-zA-Z}={A-Za-z}' -l -d shown -a values
        fi
    fi
}
if ! (( $+functions[compdef] )); then
    autoload -Uz compinit && compinit
fi
compdef _exchange exchange
