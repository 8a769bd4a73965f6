# Writes a large valid SSDA903 return (episodes and header) for timing the import:
#   python3 Tests/scripts/ssda903_bulk.py EPISODES SEED YEAR OUTDIR [postcode_districts.csv]
# Children have 1-6 back-to-back episodes in the collection year, in real South East
# districts, with codes from the DfE lists. Not realistic care histories: only for speed.
import random, sys, datetime
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n = int(sys.argv[1]); year = int(sys.argv[3]) if len(sys.argv) > 3 else 2024
out = sys.argv[4] if len(sys.argv) > 4 else '.'
districts = [l.split(',')[0] for l in open(sys.argv[5] if len(sys.argv) > 5 else 'Data/postcode_districts.csv').read().splitlines()[1:] if l.split(',')[0][:2] in ('CT','ME','TN','DA','BN','RH','GU','OX','SO','PO')]
places = ['U1','U2','U3','U4','U5','U6','K2','K1','H5','P1','A4','R1','T0','S1']
end = datetime.date(year,3,31); start = datetime.date(year-1,4,1)
ep = open(f'{out}/episodes_{n}.csv', 'w'); hd = open(f'{out}/header_{n}.csv', 'w')
ep.write('CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n')
hd.write('CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n')
count = 0; child = 100000
f = lambda d: d.strftime('%d/%m/%Y')
while count < n:
    child += 1
    k = random.randint(1, 6)
    d = start + datetime.timedelta(days=random.randint(0, 200))
    dob = d - datetime.timedelta(days=random.randint(400, 6000))
    hd.write(f'{child},{random.choice("12")},{f(dob)},WBRI,A123456789012,,\n')
    home = random.choice(districts)
    for i in range(k):
        if count >= n: break
        last = i == k - 1
        dec = d + datetime.timedelta(days=random.randint(1, 40))
        openend = last and random.random() < 0.6
        if dec > end: openend = True
        place = random.choice(places)
        ep.write(f'{child},{f(d)},{"S" if i == 0 else "P"},C2,N{random.randint(1,8)},{place},PR1,{"" if openend else f(dec)},{"" if openend else ("X1" if not last else "E11")},,{home} 1AA,{random.choice(districts)} 2BB,\n')
        count += 1
        if openend: break
        d = dec
