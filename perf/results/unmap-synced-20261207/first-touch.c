// Ferrite perf experiment (decision 0007, "Unmapping what is synced"): the cost of a writer's first store to each
// page of a shared file mapping that another thread populates ahead. Build: gcc -O2 -pthread first-touch.c -o first-touch
// Writes first-touch.log (FILE_MIB MiB, sparse) in the current directory and removes it.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static char *wmap; static long size; static int mode; static _Atomic long pos; static _Atomic int done;
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
void* pre(void*a){ long populated=0;
  while(!atomic_load(&done)){ long p=atomic_load(&pos);
    while(populated < p + (8<<20) && populated < size){ long to=populated+(256<<10);
      madvise(wmap+populated,to-populated,MADV_POPULATE_WRITE);
      if(mode==1) for(long q=populated;q<to;q+=4096) __atomic_fetch_add((long*)(wmap+q),0,__ATOMIC_RELAXED);
      if(mode==2) for(long q=populated;q<to;q+=4096) (void)*(volatile char*)(wmap+q);
      populated=to; }
    usleep(200);
  } return 0;}
// usage: first-touch MODE(0 none, 1 atomic add of 0, 2 read) FILE_MIB SECONDS RANDOM(1: MADV_RANDOM, 4 KiB folios)
int main(int c,char**v){ mode=atoi(v[1]); size=atol(v[2])<<20; int secs=atoi(v[3]); int rec=1100; int rnd=atoi(v[4]);
  int fd=open("first-touch.log",O_RDWR|O_CREAT|O_TRUNC,0644); ftruncate(fd,size);
  wmap=mmap(0,size,PROT_READ|PROT_WRITE,MAP_SHARED,fd,0);
  if(rnd) madvise(wmap,size,MADV_RANDOM);
  pthread_t th; pthread_create(&th,0,pre,0);
  usleep(100000);
  char buf[2048]; memset(buf,7,sizeof buf);
  long p=0; double t0=now(); long n=0; double copy=0;
  while(p+rec<size && now()-t0<secs){ double a=now(); memcpy(wmap+p,buf,rec); copy+=now()-a; p+=rec; n++; atomic_store(&pos,p); 
     for(volatile int k=0;k<300;k++); }
  double el=now()-t0; atomic_store(&done,1); pthread_join(th,0);
  printf("mode=%d rnd=%d recs/s=%.0f copy_ns_per_rec=%.0f\n",mode,rnd,n/el,copy/n*1e9);
  unlink("first-touch.log");
}
