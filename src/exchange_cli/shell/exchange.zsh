# exchange's completion for zsh: `exchange completion zsh`, installed by
# `exchange completion zsh --install`. The answers are added with compadd as plain words
# and display strings, never evaluated: a catalogue's text cannot run here.
_exchange() {
    local -a lines values shown
    local line value description
    lines=("${(@f)$(_EXCHANGE_COMPLETE=zsh "${(Q)words[1]}" "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
    for line in "${lines[@]}"; do
        if [[ $line == files ]]; then
            _files
            return
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
    (( ${#values} )) && compadd -M 'm:{a-zA-Z}={A-Za-z}' -l -d shown -a values
}
if ! (( $+functions[compdef] )); then
    autoload -Uz compinit && compinit
fi
compdef _exchange exchange
