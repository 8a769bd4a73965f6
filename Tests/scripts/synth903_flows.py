# The digest Synthetic903Tests.flowDigest computes, over the files `hearth-bench synth-903` wrote:
#   python3 Tests/scripts/synth903_flows.py DIR CODE[,CODE…] FROM_YEAR TO_YEAR
# FNV-1a (64-bit) over each return's episodes (REASON_PLACE_CHANGE blanked), header and UASC
# tables, authority by authority, year by year. Used to show that a change to the generator left
# its flows (entries, exits, moves, every other field) as they were.
import sys
folder, codes, first, last = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3]), int(sys.argv[4])
h = 0xcbf29ce484222325
def feed(data):
    global h
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xffffffffffffffff
for code in codes:
    for year in range(first, last + 1):
        text = open(f'{folder}/{code}_{year}_episodes.csv', encoding='utf-8').read()
        for line in text.split('\n'):
            fields = line.split(',')
            if len(fields) == 13:
                fields[9] = ''
            feed((','.join(fields) + '\n').encode())
        for table in ('header', 'uasc'):
            feed(open(f'{folder}/{code}_{year}_{table}.csv', encoding='utf-8').read().encode())
print(h)
